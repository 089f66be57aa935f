// How Avro requests travel on each transport of the hostile cells, produced as pieces so that a
// 96 MB message is never held whole on this side: standard framing (tcp, sasl after its START,
// http bodies), Netty framing (netty, and netty-deflate inside a zlib stream). The framings follow
// the Avro specification and Java's transceivers (frames and Netty buffers of 8 KB by default).
import { nettyCodec } from '../../../impls/avro/framing/netty.ts';
import { saslClientCodec } from '../../../impls/avro/framing/sasl.ts';
import { standardCodec } from '../../../impls/avro/framing/standard.ts';
import { windows } from '../bytes.ts';
import { HttpResponseCounter } from '../net/http-responses.ts';

export const AVRO_TRANSPORTS = ['http', 'tcp', 'netty', 'sasl', 'netty-deflate'] as const;
export type AvroTransport = (typeof AVRO_TRANSPORTS)[number];

/** Java writes frames and Netty buffers of 8 KB. */
export const DEFAULT_CHUNK_BYTES = 8192;

/** SASL START with mechanism ANONYMOUS and an empty initial response (what Java's client sends). */
export const SASL_START = Buffer.concat([Buffer.from([0]), u32(9), Buffer.from('ANONYMOUS', 'latin1'), u32(0)]);

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0, 0);
  return buffer;
}

export function isAvroTransport(transport: string): transport is AvroTransport {
  return (AVRO_TRANSPORTS as readonly string[]).includes(transport);
}

/** netty-deflate compresses both directions of the whole connection. */
export function compressionOf(transport: AvroTransport): 'zlib' | undefined {
  return transport === 'netty-deflate' ? 'zlib' : undefined;
}

/** Bytes a client writes once, right after connecting. */
export function preamble(transport: AvroTransport): Buffer[] {
  return transport === 'sasl' ? [SASL_START] : [];
}

/** Standard framing of a payload of `length` bytes: frames of `chunk` bytes, then a zero frame. */
export function* standardFrames(payload: Iterable<Buffer>, chunk: number): Generator<Buffer> {
  for (const window of windows(payload, chunk)) {
    yield u32(window.reduce((n, b) => n + b.length, 0));
    yield* window;
  }
  yield u32(0);
}

export function standardFramedLength(length: number, chunk: number): number {
  return length + 4 * Math.ceil(length / chunk) + 4;
}

/** Netty framing: serial, buffer count, then each buffer of `chunk` bytes with its length. */
export function* nettyPack(payload: Iterable<Buffer>, length: number, chunk: number, serial: number): Generator<Buffer> {
  yield Buffer.concat([u32(serial), u32(Math.ceil(length / chunk))]);
  for (const window of windows(payload, chunk)) {
    yield u32(window.reduce((n, b) => n + b.length, 0));
    yield* window;
  }
}

export function httpHead(contentLength: number | string, keepAlive = false): Buffer {
  return Buffer.from(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: avro/binary\r\nContent-Length: ${contentLength}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`,
    'latin1',
  );
}

export interface MessageOptions {
  /** Frame / Netty buffer size (default 8 KB). */
  readonly chunkBytes?: number;
  /** Netty serial (default 1). */
  readonly serial?: number;
  /** HTTP: keep the connection for another request. */
  readonly keepAlive?: boolean;
}

/**
 * One request message as this transport frames it, without the connection's preamble (SASL START)
 * and before compression (netty-deflate: the connection deflates).
 */
export function* message(transport: AvroTransport, payload: Iterable<Buffer>, length: number, options: MessageOptions = {}): Generator<Buffer> {
  const chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  switch (transport) {
    case 'http':
      yield httpHead(standardFramedLength(length, chunk), options.keepAlive);
      yield* standardFrames(payload, chunk);
      return;
    case 'tcp':
    case 'sasl':
      yield* standardFrames(payload, chunk);
      return;
    case 'netty':
    case 'netty-deflate':
      yield* nettyPack(payload, length, chunk, options.serial ?? 1);
  }
}

/**
 * Bytes that take the place of framed messages ("stream" framing): an HTTP body of their length,
 * or the socket's bytes after the preamble (before compression on netty-deflate).
 */
export function* stream(transport: AvroTransport, bytes: Iterable<Buffer>, length: number): Generator<Buffer> {
  if (transport === 'http') yield httpHead(length);
  yield* bytes;
}

/** Counts whole answers in what a server sends back (after inflating): returns the count so far. */
export function answerCounter(transport: AvroTransport): (chunk: Buffer) => number {
  if (transport === 'http') {
    const counter = new HttpResponseCounter();
    return (chunk) => counter.push(chunk);
  }
  const codec = transport === 'tcp' ? standardCodec() : transport === 'sasl' ? saslClientCodec() : nettyCodec();
  const decoder = codec.decoder();
  let count = 0;
  return (chunk) => {
    count += decoder.push(chunk).length;
    return count;
  };
}
