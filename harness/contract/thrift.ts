// The contract of a Thrift implementation under test. An adapter module default-exports a
// ThriftImplementation (see impls/README.md, and impls/thrift/adapter.ts for ours). It imports
// nothing from the suite at run time: errors and values are plain shapes.
import type { ImplementationCapabilities } from './capabilities.ts';
import type { ConnectionRecorders, WireRecorder } from './wire.ts';

/**
 * Values, as the suite passes them in and expects them back (the "canonical" Thrift values):
 * bool: boolean; i8, i16, i32, double: number; i64: bigint; string: string; binary: Buffer;
 * uuid: the canonical lowercase 8-4-4-4-12 string (any 16 bytes); enum: its i32 number;
 * struct, exception, union: a plain object of fields (unset fields absent); list, set: an array;
 * map: a Map (any key type). A struct written with another struct's definition (schema
 * evolution, the notation's $as) arrives as {writtenAs: '<struct name>', value: {...}}.
 */
export type ThriftValue = unknown;

export type ThriftArgs = Readonly<Record<string, ThriftValue>>;

/** The notation's $as: write `value` with struct `writtenAs`'s definition. */
export interface WrittenAs {
  readonly writtenAs: string;
  readonly value: Readonly<Record<string, ThriftValue>>;
}

export function isWrittenAs(value: unknown): value is WrittenAs {
  return typeof value === 'object' && value !== null && typeof (value as { writtenAs?: unknown }).writtenAs === 'string' && 'value' in value;
}

export interface ThriftEndpoint {
  /** buffered, framed, fastframed, http, zlib, header, header-zlib. */
  readonly transport: string;
  /** binary, compact, json, accel-binary, multiplexed-*, default-service-*, mixed-*. */
  readonly protocol: string;
  readonly socket: 'tcp' | 'tls' | 'unix';
  readonly host: string;
  readonly port: number;
  /** socket unix: the socket's path. */
  readonly path?: string;
  /** socket tls: PEM file paths (clients get ca; servers get cert and key). */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** transport http: the path served and posted to. */
  readonly httpPath: string;
  /** The conformance IDL: its path and text. */
  readonly idl: { readonly path: string; readonly text: string };
}

/**
 * How a call fails. The adapter rejects with an Error carrying `thrift`:
 *   {kind: 'declared', type: '<exception struct name>', value: {...fields}}
 *   {kind: 'application', type: <TApplicationException type number>, message: '<text>'}
 * Any other rejection is a transport or protocol failure. Handlers the suite gives to a server
 * throw the same shapes: a 'declared' one goes in the method's result as that exception, an
 * 'application' one is answered as a TApplicationException with that type and message, and any
 * other error is answered as TApplicationException INTERNAL_ERROR (what Java and Python do).
 */
export type ThriftCallError =
  | { readonly kind: 'declared'; readonly type: string; readonly value: Readonly<Record<string, ThriftValue>> }
  | { readonly kind: 'application'; readonly type: number; readonly message: string };

export function thriftErrorOf(error: unknown): ThriftCallError | undefined {
  const carried = (error as { thrift?: ThriftCallError } | null)?.thrift;
  return carried && (carried.kind === 'declared' || carried.kind === 'application') ? carried : undefined;
}

/** Optional abilities; an implementation lists those it has in capabilities.features. */
export const THRIFT_FEATURES = {
  /** connect's writeProtocol option: write requests in another protocol (mismatched-protocol). */
  writeProtocol: 'write-protocol',
  /** The suite's raw-wire procedures (garbage, truncated calls, seqids, unknown methods) run beside it. */
  rawWire: 'raw-wire',
} as const;

export interface ThriftClientOptions {
  readonly timeoutMs: number;
  readonly recorder?: WireRecorder;
  readonly writeProtocol?: string;
}

export interface ThriftClientHandle {
  call(service: string, method: string, args: ThriftArgs): Promise<ThriftValue>;
  close(): Promise<void>;
}

export type ThriftHandler = (args: ThriftArgs) => ThriftValue | Promise<ThriftValue>;
/** Service name -> method name -> handler. */
export type ThriftHandlers = Readonly<Record<string, Readonly<Record<string, ThriftHandler>>>>;

export interface ThriftServeEndpoint extends ThriftEndpoint {
  readonly serverKind: string;
  /** Multiplexed protocols: the services registered, and the default service for plain calls (default-service-*). */
  readonly services: readonly string[];
  readonly defaultService?: string;
}

export interface ThriftServerOptions {
  readonly recorders?: ConnectionRecorders;
  readonly log?: (line: string) => void;
}

export interface ThriftServerHandle {
  readonly port: number;
  crashed?(): string | undefined;
  close(): Promise<void>;
}

export interface ThriftImplementation {
  readonly capabilities: ImplementationCapabilities;
  connect?(endpoint: ThriftEndpoint, options: ThriftClientOptions): Promise<ThriftClientHandle>;
  serve?(endpoint: ThriftServeEndpoint, handlers: ThriftHandlers, options: ThriftServerOptions): Promise<ThriftServerHandle>;
}
