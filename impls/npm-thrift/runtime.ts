// The CommonJS world (npm thrift 0.24, node-int64, the generated js:node,es6 code) seen from our ES
// modules, with the few shapes we rely on written down as types. npm thrift ships no .d.ts.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** What npm thrift's protocols call on a transport. */
export interface ProtocolTransport {
  read(length: number): Buffer;
  readByte(): number;
  readI16(): number;
  readI32(): number;
  readDouble(): number;
  readString(length: number): string;
  borrow(): { buf: Buffer; readIndex: number; writeIndex: number };
  consume(bytes: number): void;
  write(data: Buffer | string, encoding?: BufferEncoding): void;
  flush(): void;
  setCurrSeqId?(seqid: number): void;
}

export interface MessageBegin {
  readonly fname: string;
  readonly mtype: number;
  readonly rseqid: number;
}

/** The part of a protocol object that our code calls directly (generated code calls the rest). */
export interface Protocol {
  readonly trans: ProtocolTransport;
  readMessageBegin(): MessageBegin;
  readMessageEnd(): void;
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldStop(): void;
  skip(type: number): void;
  flush(): void;
}

export type ProtocolClass = new (transport: ProtocolTransport) => Protocol;

export interface Processor {
  process(input: Protocol, output: Protocol): unknown;
}

export interface ApplicationException extends Error {
  type: number;
  read(input: Protocol): void;
  write(output: Protocol): void;
}

interface ThriftModule {
  Thrift: {
    Type: Readonly<Record<string, number>>;
    MessageType: Readonly<{ CALL: number; REPLY: number; EXCEPTION: number; ONEWAY: number }>;
    TApplicationExceptionType: Readonly<Record<string, number>>;
    TApplicationException: new (type?: number, message?: string) => ApplicationException;
    TException: new (message?: string) => Error;
  };
  TBinaryProtocol: new (transport: ProtocolTransport, strictRead?: boolean, strictWrite?: boolean) => Protocol;
  TCompactProtocol: ProtocolClass;
  TJSONProtocol: ProtocolClass;
  InputBufferUnderrunError: new (message?: string) => Error;
}

export const thrift = require('thrift') as ThriftModule;
export const Thrift = thrift.Thrift;

/**
 * npm thrift 0.24 defect: TApplicationException's constructor stores the type in `type`, but its
 * write() sends field 2 from `this.code`, which nothing sets, so every TApplicationException a Node
 * server writes (unknown method, handler error) goes out WITHOUT a type and readers see UNKNOWN (0).
 * Our implementation writes the type it holds. runtime.test.ts pins the upstream behaviour, so
 * this fix is noticed when npm repairs it.
 */
export const npmApplicationExceptionWrite = (Thrift.TApplicationException.prototype as ApplicationException).write;
function writeApplicationException(this: ApplicationException & { code?: number }, output: Protocol): void {
  const out = output as Protocol & { writeFieldBegin(n: string, t: number, id: number): void; writeString(s: string): void; writeI32(v: number): void; writeFieldEnd(): void };
  out.writeStructBegin('TApplicationException');
  if (this.message) {
    out.writeFieldBegin('message', Thrift.Type['STRING'] ?? 11, 1);
    out.writeString(this.message);
    out.writeFieldEnd();
  }
  const type = this.type ?? this.code;
  if (type !== undefined) {
    out.writeFieldBegin('type', Thrift.Type['I32'] ?? 8, 2);
    out.writeI32(type);
    out.writeFieldEnd();
  }
  out.writeFieldStop();
  out.writeStructEnd();
}
for (const key of ['write', Symbol.for('write')] as const) {
  Object.defineProperty(Thrift.TApplicationException.prototype, key, { value: writeApplicationException, writable: true, configurable: true });
}

/** node-int64: an 8-byte big-endian two's complement buffer. */
export interface Int64Like {
  readonly buffer: Buffer;
  readonly offset: number;
}
export type Int64Class = new (buffer: Buffer, offset?: number) => Int64Like;
export const Int64 = require('node-int64') as Int64Class;

/** A generated service client: one method per IDL function, answering a Promise. */
export type ServiceClient = Record<string, unknown> & {
  _reqs: Record<number, ((error: unknown, result?: unknown) => void) | undefined>;
  new_seqid(): number;
};
export type ServiceClientClass = new (output: ProtocolTransport, pClass: ProtocolClass) => ServiceClient;
export type ProcessorClass = new (handler: object) => Processor;

export interface GeneratedService {
  readonly Client: ServiceClientClass;
  readonly Processor: ProcessorClass;
}

/** Generated struct classes: constructed from an object of fields. */
export type StructClass = new (fields?: Record<string, unknown>) => Record<string, unknown>;

export const generated = {
  Conformance: require('./gen/Conformance.js') as GeneratedService,
  Secondary: require('./gen/Secondary.js') as GeneratedService,
  types: require('./gen/conformance_types.js') as Record<string, StructClass | Record<string, number>>,
};

export type ServiceName = keyof Omit<typeof generated, 'types'>;
