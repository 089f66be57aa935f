// npm `thrift` 0.24 and the code thrift-compiler 0.19 generated for it (gen/, CommonJS), seen from
// our ES modules. npm thrift ships no .d.ts: the few shapes this adapter touches are written down
// here, as npm thrift's own sources and README use them. Nothing here changes npm thrift.
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

const require = createRequire(import.meta.url);

/** What a transport class is to npm thrift: constructed per write, with a static receiver for reads. */
export interface TransportClass {
  new (buffer?: Buffer, onFlush?: (message: Buffer, seqid?: number) => void): NpmTransport;
  receiver(callback: (transport: NpmTransport) => void, seqid?: number, maxLength?: number): (data: Buffer) => void;
}

export interface NpmTransport {
  flush(): void;
  /** THeaderTransport (the base of TBufferedTransport and TFramedTransport): the header's inner protocol. */
  setProtocolId?(protocolId: number): void;
}

export type ProtocolClass = new (transport: NpmTransport) => object;

/** thrift.Connection / thrift.HttpConnection: an EventEmitter with a client (or service -> client map). */
export interface NpmConnection extends EventEmitter {
  /** Sockets only: the net.Socket or tls.TLSSocket. */
  readonly connection?: Socket;
  readonly connected?: boolean;
  write(data: Buffer, seqid?: number): void;
  end?(): void;
  destroy?(): void;
  /** HttpConnection: the 'response' listener of every request it posts (called with the request as `this`). */
  responseCallback?: (this: unknown, response: EventEmitter) => void;
}

/** A generated service client: one method per IDL function, answering a Promise. */
export type ServiceClient = Record<string, unknown> & { readonly output: NpmTransport };

export interface Processor {
  process(input: object, output: object): void;
}

export interface MultiplexedProcessorLike extends Processor {
  registerProcessor(name: string, processor: Processor): void;
}

export interface MultiplexerLike {
  createClient(serviceName: string, service: GeneratedService, connection: NpmConnection): ServiceClient;
}

export interface ApplicationException extends Error {
  type: number;
}

/** npm thrift's connection options as its connection.js and http_connection.js read them. */
export interface ConnectionOptions {
  transport: TransportClass;
  protocol: ProtocolClass;
  [option: string]: unknown;
}

export interface ServerOptions {
  transport: TransportClass;
  protocol: ProtocolClass;
  tls?: { cert: Buffer; key: Buffer };
}

export interface WebServerOptions {
  services: Record<string, { processor: Processor | GeneratedService; handler?: object; protocol: ProtocolClass; transport: TransportClass }>;
  tls?: { cert: Buffer; key: Buffer };
}

/** Int64 from node-int64, as npm thrift reads and writes i64. */
export interface Int64Like {
  readonly buffer: Buffer;
  readonly offset: number;
}

interface ThriftModule {
  Thrift: {
    Type: Readonly<Record<string, number>>;
    MessageType: Readonly<{ CALL: number; REPLY: number; EXCEPTION: number; ONEWAY: number }>;
    TApplicationExceptionType: Readonly<Record<string, number>>;
    TApplicationException: new (type?: number, message?: string) => ApplicationException;
    TException: new (message?: string) => Error;
  };
  createConnection(host: string, port: number, options: ConnectionOptions): NpmConnection;
  createSSLConnection(host: string, port: number, options: ConnectionOptions): NpmConnection;
  createUDSConnection(path: string, options: ConnectionOptions): NpmConnection;
  createHttpConnection(host: string, port: number, options: ConnectionOptions): NpmConnection;
  createHttpUDSConnection(path: string, options: ConnectionOptions): NpmConnection;
  createClient(service: GeneratedService, connection: NpmConnection): ServiceClient;
  createHttpClient(service: GeneratedService, connection: NpmConnection): ServiceClient;
  createServer(service: GeneratedService, handler: object, options: ServerOptions): Server;
  createMultiplexServer(processor: Processor, options: ServerOptions): Server;
  createWebServer(options: WebServerOptions): HttpServer;
  Multiplexer: new () => MultiplexerLike;
  MultiplexedProcessor: new () => MultiplexedProcessorLike;
  TBufferedTransport: TransportClass;
  TFramedTransport: TransportClass;
  TBinaryProtocol: ProtocolClass;
  TCompactProtocol: ProtocolClass;
  TJSONProtocol: ProtocolClass;
  THeaderProtocol: ProtocolClass;
  Int64: new (value: Buffer | number | string) => Int64Like;
  /** 0.24: Int64 -> bigint, and bigint (or decimal string, safe number) -> Int64. */
  toBigInt(value: Int64Like): bigint;
  fromBigInt(value: bigint | string | number): Int64Like;
}

export const thrift = require('thrift') as ThriftModule;
export const Thrift = thrift.Thrift;

/** THeaderTransport.SubprotocolId (header_transport.js; the module exports no name for it). */
export const HEADER_SUBPROTOCOL = { binary: 0, compact: 2 } as const;

/** A generated service module: its Client and Processor classes. */
export interface GeneratedService {
  readonly Client: new (output: NpmTransport, protocol: ProtocolClass) => ServiceClient;
  readonly Processor: new (handler: object) => Processor;
}

/** A generated struct, union or exception class: constructed from an object of fields. */
export type StructClass = new (fields?: Record<string, unknown>) => Record<string, unknown>;

export const generated = {
  services: {
    Conformance: require('./gen/Conformance.js') as GeneratedService,
    Secondary: require('./gen/Secondary.js') as GeneratedService,
  } as Readonly<Record<string, GeneratedService>>,
  types: require('./gen/conformance_types.js') as Readonly<Record<string, StructClass | Readonly<Record<string, number>>>>,
};

export function structClass(name: string): StructClass {
  const found = generated.types[name];
  if (typeof found !== 'function') throw new Error(`npm-thrift: the generated code has no struct ${name}`);
  return found;
}

export function isInt64(value: unknown): value is Int64Like {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as Int64Like).buffer);
}
