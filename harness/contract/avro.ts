// The contract of an Avro RPC implementation under test. An adapter module default-exports an
// AvroImplementation (see impls/README.md for how to plug one in, and impls/avro/adapter.ts for
// ours). It imports nothing from the suite at run time: errors and values are plain shapes.
import type { ImplementationCapabilities } from './capabilities.ts';
import type { ConnectionRecorders, WireRecorder } from './wire.ts';

/**
 * Values, as the suite passes them in and expects them back (the "canonical" Avro values):
 * null; boolean; int, float, double: number; long: bigint (the whole 64-bit range); string;
 * bytes, fixed: Buffer; enum: the symbol string; array: an array; map: a plain object whose
 * entries are own enumerable properties (a key "__proto__" is an own property, not a prototype);
 * record, error: a plain object of fields; union: null for the null branch, else
 * {"<branch name>": value} with the branch's full type name (Avro's JSON-encoding convention);
 * decimal: {unscaled: bigint, scale: number}; other logical types: their underlying type.
 */
export type AvroValue = unknown;

export type AvroRequest = Readonly<Record<string, AvroValue>>;

/** The protocol of a cell: its name and its .avpr text exactly as the suite's data file has it. */
export interface AvroProtocolSource {
  readonly name: string;
  readonly text: string;
}

export interface AvroTarget {
  /** http://127.0.0.1:N/, tcp://…, netty://…, netty-deflate://…, avro://… (SASL ANONYMOUS). */
  readonly url: string;
  /** The matrix's transport word: http, tcp, netty, netty-deflate, sasl. */
  readonly transport: string;
  readonly protocol: AvroProtocolSource;
}

/**
 * How a call fails. The adapter rejects with an Error carrying `avro`:
 *   {kind: 'declared', type: '<full name of the declared error>', value: <the error record>}
 *   {kind: 'system', message: '<the string the server sent>'}
 * Any other rejection is a transport or client failure. Handlers the suite gives to a server throw
 * the same shapes: the adapter answers a 'declared' one in its error branch and anything else as a
 * system error (a string).
 */
export type AvroCallError =
  | { readonly kind: 'declared'; readonly type: string; readonly value: AvroValue }
  | { readonly kind: 'system'; readonly message: string };

export function avroErrorOf(error: unknown): AvroCallError | undefined {
  const carried = (error as { avro?: AvroCallError } | null)?.avro;
  return carried && (carried.kind === 'declared' || carried.kind === 'system') ? carried : undefined;
}

export interface HandshakeRecord {
  /** Server side: which connection it came on (the same string for every handshake of one stateful connection; absent over HTTP). */
  readonly connection?: string;
  readonly request: { readonly clientHash: Uint8Array; readonly clientProtocol: string | null; readonly serverHash: Uint8Array; readonly meta: Readonly<Record<string, Uint8Array>> | null };
  readonly response: { readonly match: 'BOTH' | 'CLIENT' | 'NONE'; readonly serverProtocol: string | null; readonly serverHash: Uint8Array | null; readonly meta: Readonly<Record<string, Uint8Array>> | null };
}

/** Optional abilities; an implementation lists those it has in capabilities.features. */
export const AVRO_FEATURES = {
  /** client.handshakes() and the server's onHandshake: the handshake cases can judge what happened. */
  handshakeObservation: 'handshake-observation',
  /** serverHashGuess / sendProtocolFirst client options. */
  handshakeControl: 'handshake-control',
  /** handshakeMeta / callMeta options and client.callWithMeta(). */
  metadata: 'metadata',
  /** client.ping(): a handshake-only request (empty message name). */
  ping: 'ping',
  /** The suite's raw-wire procedures (garbage, truncated and oversize frames) may run beside it. */
  rawWire: 'raw-wire',
} as const;

export interface AvroClientOptions {
  readonly timeoutMs: number;
  readonly recorder?: WireRecorder;
  readonly serverHashGuess?: Uint8Array;
  readonly sendProtocolFirst?: boolean;
  readonly handshakeMeta?: Readonly<Record<string, Uint8Array>>;
  readonly callMeta?: Readonly<Record<string, Uint8Array>>;
}

export interface AvroClientHandle {
  call(message: string, request: AvroRequest): Promise<AvroValue>;
  callWithMeta?(message: string, request: AvroRequest): Promise<{ readonly response: AvroValue; readonly meta: Readonly<Record<string, Uint8Array>> }>;
  ping?(): Promise<void>;
  handshakes?(): readonly HandshakeRecord[];
  close(): Promise<void>;
}

export interface AvroCallContext {
  readonly message: string;
  readonly callMeta?: Readonly<Record<string, Uint8Array>>;
  readonly handshakeMeta?: Readonly<Record<string, Uint8Array>> | null;
}

export type AvroHandler = (request: AvroRequest, context: AvroCallContext) => AvroValue | Promise<AvroValue>;

export interface AvroServerOptions {
  readonly recorders?: ConnectionRecorders;
  readonly onHandshake?: (record: HandshakeRecord) => void;
  readonly log?: (line: string) => void;
}

export interface AvroServerHandle {
  readonly port: number;
  /** Set when the server died on its own (e.g. a library crash): the reason. */
  crashed?(): string | undefined;
  close(): Promise<void>;
}

export interface AvroImplementation {
  readonly capabilities: ImplementationCapabilities;
  /** Required when capabilities.client has offers. */
  connect?(target: AvroTarget, options: AvroClientOptions): Promise<AvroClientHandle>;
  /** Required when capabilities.server has offers. Listens on target.url's host and port. */
  listen?(target: AvroTarget, handlers: Readonly<Record<string, AvroHandler>>, options: AvroServerOptions): Promise<AvroServerHandle>;
}
