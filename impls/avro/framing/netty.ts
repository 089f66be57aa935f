// Netty framing (Java's NettyTransportCodec, also what Apache Flume's Avro source speaks):
// int32 serial, int32 count, then count buffers each as int32 length + bytes. No terminator.
// The serial matches an answer to its request, so several calls may be in flight on one socket.
//
// Decoding is incremental and linear: each header is read once, buffers are kept as views of the
// chunks they arrived in and joined once, when the pack is complete (byte-queue.ts): in place when
// the decoder may rewrite its chunks and the pack lies in one of them (our client's own reads),
// else by one copy.
import { DEFAULT_LIMITS, FramingError, resolveLimits, type Limits } from '../limits.ts';
import { ByteQueue, joinInPlace, joinViews } from './byte-queue.ts';
import type { DecoderOptions, Frame, FrameCodec, FrameDecoder } from './codec.ts';
import { describeForeignStream } from './sniff.ts';
import { WRITE_FRAME_BYTES } from './standard.ts';

function int32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeInt32BE(value, 0);
  return buffer;
}

/** A pack of the given buffers, as a list of buffers to write (headers and the buffers themselves). */
export function encodeNettyParts(serial: number, buffers: readonly Buffer[]): Buffer[] {
  const header = Buffer.allocUnsafe(8);
  header.writeInt32BE(serial, 0);
  header.writeInt32BE(buffers.length, 4);
  const out: Buffer[] = [header];
  for (const buffer of buffers) out.push(int32(buffer.length), buffer);
  return out;
}

export function encodeNetty(serial: number, buffers: readonly Buffer[]): Buffer {
  return Buffer.concat(encodeNettyParts(serial, buffers));
}

/**
 * A message's parts cut into buffers of at most WRITE_FRAME_BYTES, as Java's
 * ByteBufferOutputStream hands them to NettyTransportCodec: no buffer exceeds a receiver's
 * per-buffer limit, whatever the message size.
 */
function cut(parts: readonly Buffer[]): Buffer[] {
  const buffers: Buffer[] = [];
  for (const part of parts) {
    for (let offset = 0; offset < part.length; offset += WRITE_FRAME_BYTES) buffers.push(part.subarray(offset, offset + WRITE_FRAME_BYTES));
  }
  return buffers;
}

export class NettyFrameDecoder implements FrameDecoder {
  private readonly queue = new ByteQueue();
  private readonly limits: Limits;
  /** The pack being read: its serial and buffer count once its header is in. */
  private pack: { serial: number; count: number; read: number; views: Buffer[]; bytes: number } | undefined;
  /** Length of the buffer whose header was read, while its bytes are awaited. */
  private bufferLength: number | undefined;
  private readonly rewriteChunks: boolean;

  constructor(limits: Partial<Limits> = DEFAULT_LIMITS, options: DecoderOptions = {}) {
    this.limits = resolveLimits(limits);
    this.rewriteChunks = options.rewriteChunks ?? false;
  }

  get pending(): number {
    return this.queue.length + (this.pack ? 8 + this.pack.bytes + 4 * this.pack.read : 0) + (this.bufferLength === undefined ? 0 : 4);
  }

  push(chunk: Buffer): Frame[] {
    this.queue.push(chunk);
    const packs: Frame[] = [];
    for (;;) {
      const pack = this.next();
      if (!pack) return packs;
      packs.push(pack);
    }
  }

  private fail(message: string): never {
    const hint = this.queue.consumed === 0 ? describeForeignStream(this.queue.peek(8), 'Netty') : '';
    throw new FramingError(`${message}.${hint}`);
  }

  private next(): Frame | undefined {
    if (!this.pack) {
      if (this.queue.length < 8) return undefined;
      const serial = this.queue.int32At(0);
      const count = this.queue.int32At(4);
      if (count < 0 || count > this.limits.maxNettyBuffers) this.fail(`pack announces ${count} buffers (limit ${this.limits.maxNettyBuffers})`);
      this.queue.skip(8);
      this.pack = { serial, count, read: 0, views: [], bytes: 0 };
    }
    const pack = this.pack;
    while (pack.read < pack.count) {
      if (this.bufferLength === undefined) {
        if (this.queue.length < 4) return undefined;
        const length = this.queue.int32At(0);
        if (length < 0 || length > this.limits.maxFrameBytes) this.fail(`buffer of ${length} bytes (limit ${this.limits.maxFrameBytes})`);
        if (pack.bytes + length > this.limits.maxMessageBytes) this.fail(`pack exceeds ${this.limits.maxMessageBytes} bytes`);
        this.queue.skip(4);
        this.bufferLength = length;
      }
      if (this.queue.length < this.bufferLength) return undefined;
      this.queue.take(this.bufferLength, pack.views);
      pack.bytes += this.bufferLength;
      pack.read++;
      this.bufferLength = undefined;
    }
    this.pack = undefined;
    const payload = (this.rewriteChunks ? joinInPlace(pack.views, pack.bytes) : undefined) ?? joinViews(pack.views, pack.bytes);
    return { serial: pack.serial, payload };
  }
}

export function nettyCodec(limits: Partial<Limits> = DEFAULT_LIMITS): FrameCodec {
  return {
    name: 'netty',
    matchesBySerial: true,
    encode: (payload, serial) => Buffer.concat(encodeNettyParts(serial, cut([payload]))),
    encodeParts: (parts, serial) => encodeNettyParts(serial, cut(parts)),
    decoder: (options = {}) => new NettyFrameDecoder(limits, options),
  };
}

/**
 * netty-deflate: Netty framing inside one zlib stream per direction, as Apache Flume's
 * NettyAvroRpcClient and AvroSource do with compression-type deflate.
 *
 * What Flume's sources show (apache/flume 1.11, NettyAvroRpcClient.connect and
 * AvroSource.start): with compression-type deflate both sides add Netty's JZlibEncoder (level 6
 * at the source, compression-level at the client) and JZlibDecoder() at the front of the channel
 * pipeline, next to the socket. Their default wrapper is ZlibWrapper.ZLIB: an RFC 1950 stream
 * (2-byte header, usually 78 9c; Adler-32 trailer only when the encoder is closed), not raw
 * deflate and not gzip. JZlibEncoder deflates every outbound buffer with Z_SYNC_FLUSH, so each
 * write ends on a byte boundary with an empty stored block (00 00 ff ff) and the receiver can
 * inflate it at once; the stream is never reset between messages (one zlib stream per
 * connection and direction). We do the same: one deflate stream per connection, flushed with
 * Z_SYNC_FLUSH after every message, and one inflate stream reading the other direction.
 */
export function nettyDeflateCodec(limits: Partial<Limits> = DEFAULT_LIMITS): FrameCodec {
  return { ...nettyCodec(limits), name: 'netty-deflate', compression: 'zlib' };
}

