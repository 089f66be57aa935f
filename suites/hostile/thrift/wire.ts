// How Thrift requests travel on each transport of the hostile cells, produced as pieces: buffered
// (the message as it is), framed and fastframed (a 4-byte length), header and header-zlib
// (Facebook's THeader frame: length, magic 0x0FFF, flags, sequence id, header words, protocol id,
// transforms), zlib (the whole connection in a zlib stream, as TZlibTransport), http (a POST of
// the message to /thrift). The framings follow Apache Thrift's own transports.
import { deflateSync } from 'node:zlib';
import { TRANSPORTS, type TransportName } from '../../../impls/thrift/axis.ts';
import { framingFor } from '../../../impls/thrift/transport/framing.ts';
import { resolveLimits } from '../../../impls/thrift/limits.ts';
import type { ProtocolName } from '../../../impls/thrift/protocol/index.ts';
import { HttpResponseCounter } from '../net/http-responses.ts';

export type ThriftTransport = TransportName;

export function isThriftTransport(transport: string): transport is ThriftTransport {
  return (TRANSPORTS as readonly string[]).includes(transport);
}

export function isThriftProtocol(protocol: string): protocol is ProtocolName {
  return protocol === 'binary' || protocol === 'compact' || protocol === 'json';
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0, 0);
  return buffer;
}

/** THeader's protocol ids (binary 0, compact 2) and its zlib transform id (1). */
const HEADER_PROTOCOL: Readonly<Record<string, number>> = { binary: 0, compact: 2 };
const ZLIB_TRANSFORM = 1;

export function compressionOf(transport: ThriftTransport): 'zlib' | undefined {
  return transport === 'zlib' ? 'zlib' : undefined;
}

export function httpHead(contentLength: number | string, keepAlive = false): Buffer {
  return Buffer.from(
    `POST /thrift HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-thrift\r\nAccept: application/x-thrift\r\nContent-Length: ${contentLength}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`,
    'latin1',
  );
}

/** A THeader frame around a payload (header-zlib: the payload deflated, so it is built whole). */
function* headerFrame(payload: Iterable<Buffer>, length: number, protocol: ProtocolName, seqid: number, zlib: boolean): Generator<Buffer> {
  const id = HEADER_PROTOCOL[protocol] ?? 0;
  const header = zlib ? Buffer.from([id, 1, ZLIB_TRANSFORM, 0]) : Buffer.from([id, 0, 0, 0]);
  let body: Iterable<Buffer> = payload;
  let bodyLength = length;
  if (zlib) {
    const deflated = deflateSync(Buffer.concat([...payload], length));
    body = [deflated];
    bodyLength = deflated.length;
  }
  const fixed = Buffer.alloc(14);
  fixed.writeUInt32BE(10 + header.length + bodyLength, 0);
  fixed.writeUInt16BE(0x0fff, 4);
  fixed.writeUInt16BE(0, 6);
  fixed.writeInt32BE(seqid, 8);
  fixed.writeUInt16BE(header.length / 4, 12);
  yield fixed;
  yield header;
  yield* body;
}

export interface ThriftMessageOptions {
  readonly seqid?: number;
  readonly keepAlive?: boolean;
}

/** One request message as this transport frames it (before compression on zlib: the connection deflates). */
export function* message(transport: ThriftTransport, protocol: ProtocolName, payload: Iterable<Buffer>, length: number, options: ThriftMessageOptions = {}): Generator<Buffer> {
  switch (transport) {
    case 'buffered':
    case 'zlib':
      yield* payload;
      return;
    case 'framed':
    case 'fastframed':
      yield u32(length);
      yield* payload;
      return;
    case 'header':
    case 'header-zlib':
      yield* headerFrame(payload, length, protocol, options.seqid ?? 1, transport === 'header-zlib');
      return;
    case 'http':
      yield httpHead(length, options.keepAlive);
      yield* payload;
  }
}

/** Raw bytes where messages belong: an HTTP body of their length, or the socket's bytes (before compression on zlib). */
export function* stream(transport: ThriftTransport, bytes: Iterable<Buffer>, length: number): Generator<Buffer> {
  if (transport === 'http') yield httpHead(length);
  yield* bytes;
}

/** Counts whole answers in what a server sends back (after inflating). */
export function answerCounter(transport: ThriftTransport, protocol: ProtocolName): (chunk: Buffer) => number {
  if (transport === 'http') {
    const counter = new HttpResponseCounter();
    return (chunk) => counter.push(chunk);
  }
  const { splitter } = framingFor(transport, protocol, resolveLimits(undefined));
  let count = 0;
  return (chunk) => {
    count += splitter.push(chunk).length;
    return count;
  };
}
