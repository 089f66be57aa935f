// What the hostile procedures need to know about an RPC family's wire, so that one set of
// procedures serves Avro and Thrift: how a connection starts and is compressed, how a request
// message and a raw stream are framed on each transport, and a valid call to check a server with.
import { avroBytesContext, avroValidCall, conformanceProtocol, victimProtocol, type Served } from './avro/rpc.ts';
import { answerCounter, compressionOf, isAvroTransport, message, preamble, stream, type AvroTransport, type MessageOptions } from './avro/wire.ts';
import type { BytesContext } from './bytes.ts';
import type { Rpc } from './catalogue.ts';
import { thriftBytesContext, thriftValidCall } from './thrift/rpc.ts';
import * as thrift from './thrift/wire.ts';

export type { Served } from './avro/rpc.ts';

/** One case's view of a cell's wire. */
export interface CellWire {
  readonly transport: string;
  readonly protocol: string;
  /** The byte notation's names for this case (a fresh victim each time). */
  readonly context: BytesContext;
  readonly compression: 'zlib' | undefined;
  /** Bytes a client writes once, right after connecting. */
  preamble(): Buffer[];
  /** One request as the transport frames it. */
  message(payload: Iterable<Buffer>, length: number, options?: MessageOptions): Iterable<Buffer>;
  /** Raw bytes in the place of framed messages (an HTTP body of their length, or the socket's bytes). */
  stream(bytes: Iterable<Buffer>, length: number): Iterable<Buffer>;
  /** Counts whole answers in the bytes a server sends back (after inflating). */
  answerCounter(): (chunk: Buffer) => number;
  /** A valid call from a new client of ours. */
  validCall(port: number): Promise<Served>;
  /** A valid call from a client that speaks the case's victim protocol. */
  victimCall(port: number): Promise<Served>;
}

export function cellWire(rpc: Rpc, transport: string, protocol: string): CellWire {
  if (rpc === 'avro') {
    if (!isAvroTransport(transport)) throw new Error(`no Avro transport ${transport}`);
    const t: AvroTransport = transport;
    const victim = victimProtocol();
    return {
      transport, protocol, context: avroBytesContext(victim), compression: compressionOf(t),
      preamble: () => preamble(t),
      message: (payload, length, options) => message(t, payload, length, options),
      stream: (bytes, length) => stream(t, bytes, length),
      answerCounter: () => answerCounter(t),
      validCall: (port) => avroValidCall(t, port, conformanceProtocol()),
      victimCall: (port) => avroValidCall(t, port, victim),
    };
  }
  if (!thrift.isThriftTransport(transport) || !thrift.isThriftProtocol(protocol)) throw new Error(`no Thrift cell ${transport} ${protocol}`);
  const t = transport;
  const p = protocol;
  return {
    transport, protocol, context: thriftBytesContext(p), compression: thrift.compressionOf(t),
    preamble: () => [],
    message: (payload, length, options) => thrift.message(t, p, payload, length, { ...(options?.serial !== undefined ? { seqid: options.serial } : {}), ...(options?.keepAlive ? { keepAlive: true } : {}) }),
    stream: (bytes, length) => thrift.stream(t, bytes, length),
    answerCounter: () => thrift.answerCounter(t, p),
    validCall: (port) => thriftValidCall(t, p, port),
    // Thrift has no handshake cache to poison: the victim is any client.
    victimCall: (port) => thriftValidCall(t, p, port),
  };
}
