// Apache's own JavaScript Avro (npm avro-js), loaded the way a user loads it, with types for the
// part of its API this adapter uses (it ships no .d.ts). Only documented API is used here
// (lang/js/doc/API.md in apache/avro): parse() of a protocol, protocol.emit/on, createEmitter /
// createListener with a stream factory (stateless) or a duplex stream (stateful), the emitters'
// and listeners' 'handshake' events, and LongType.using for 64-bit longs.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** avro-js's error union values: {string: text} for a system error, {"<full name>": record} for a declared one. */
export type LibraryError = Readonly<Record<string, unknown>> | Error;

export type Callback = (error: LibraryError | null | undefined, response?: unknown) => void;

export interface LibraryHandshakeRequest {
  readonly clientHash: Buffer;
  readonly clientProtocol: { readonly string: string } | null;
  readonly serverHash: Buffer;
  readonly meta: { readonly map: Readonly<Record<string, Buffer>> } | null;
}

export interface LibraryHandshakeResponse {
  readonly match: 'BOTH' | 'CLIENT' | 'NONE';
  readonly serverProtocol: { readonly string: string } | null;
  readonly serverHash: { readonly 'org.apache.avro.ipc.MD5': Buffer } | null;
  readonly meta: { readonly map: Readonly<Record<string, Buffer>> } | null;
}

interface HandshakeEvents {
  on(event: 'handshake', listener: (request: LibraryHandshakeRequest, response: LibraryHandshakeResponse) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'eot', listener: (pending: number) => void): this;
}

export interface MessageEmitter extends HandshakeEvents {
  destroy(noWait?: boolean): void;
}

export interface MessageListener extends HandshakeEvents {
  destroy(noWait?: boolean): void;
}

/** Stateless transport: returns the writable of one exchange and hands over its readable later. */
export type EmitterFactory = (onReadable: (readable: NodeJS.ReadableStream) => void) => NodeJS.WritableStream;
/** Stateless listener transport: returns the readable of one exchange and hands over its writable. */
export type ListenerFactory = (onWritable: (writable: NodeJS.WritableStream) => void) => NodeJS.ReadableStream;

export interface LibraryMessage {
  readonly name: string;
  readonly oneWay: boolean;
}

export interface LibraryProtocol {
  getName(): string;
  getMessages(): Readonly<Record<string, LibraryMessage>>;
  toString(): string;
  emit(name: string, request: unknown, emitter: MessageEmitter, callback: Callback): void;
  on(name: string, handler: (request: unknown, listener: MessageListener, callback: Callback | undefined) => void): this;
  createEmitter(transport: EmitterFactory | NodeJS.ReadWriteStream): MessageEmitter;
  createListener(transport: ListenerFactory | NodeJS.ReadWriteStream): MessageListener;
}

interface LongMethods {
  fromBuffer(buffer: Buffer): bigint;
  toBuffer(value: bigint): Buffer;
  fromJSON(json: unknown): bigint;
  toJSON(value: bigint): number;
  isValid(value: unknown): boolean;
  compare(a: bigint, b: bigint): number;
}

interface AvroJs {
  parse(schema: object | string, options?: { registry?: Record<string, unknown> }): LibraryProtocol;
  types: { LongType: { using(methods: LongMethods): unknown } };
}

export const avro = require('avro-js') as AvroJs;

export const AVRO_JS_VERSION = (require('avro-js/package.json') as { version: string }).version;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The long type avro-js's documentation tells users to register for the full 64-bit range
 * (doc/Advanced-usage.md, "Custom long types"): BigInt here. Its buffers are 8-byte
 * little-endian two's complement (what the library unpacks the zig-zag varint into).
 */
function bigintLongType(): unknown {
  return avro.types.LongType.using({
    fromBuffer: (buffer) => buffer.readBigInt64LE(0),
    toBuffer: (value) => {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64LE(value, 0);
      return buffer; // a fresh buffer each time: the library inverts it in place when packing
    },
    fromJSON: (json) => BigInt(json as string | number | bigint),
    toJSON: (value) => Number(value),
    isValid: (value) => typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX,
    compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
}

/** Parses a protocol's .avpr text with avro.parse, longs as BigInt (a fresh registry per protocol). */
export function parseProtocol(text: string): LibraryProtocol {
  return avro.parse(JSON.parse(text) as object, { registry: { long: bigintLongType() } });
}
