// Netty framing (Java's NettyTransportCodec, also what Apache Flume's Avro source speaks):
// int32 serial, int32 count, then count buffers each as int32 length + bytes. No terminator.
// The serial matches an answer to its request, so several calls may be in flight on one socket.
import { DEFAULT_LIMITS, FramingError, type Limits } from '../limits.ts';
import type { Frame, FrameCodec, FrameDecoder } from './codec.ts';

export function encodeNetty(serial: number, buffers: readonly Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(serial, 0);
  header.writeInt32BE(buffers.length, 4);
  const parts: Buffer[] = [header];
  for (const buffer of buffers) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(buffer.length, 0);
    parts.push(length, buffer);
  }
  return Buffer.concat(parts);
}

export class NettyFrameDecoder implements FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  private readonly limits: Limits;

  constructor(limits: Limits = DEFAULT_LIMITS) {
    this.limits = limits;
  }

  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const packs: Frame[] = [];
    for (;;) {
      const pack = this.tryPack();
      if (!pack) return packs;
      packs.push(pack);
    }
  }

  /** Reads one whole pack from the front of the buffer, or returns undefined if it is incomplete. */
  private tryPack(): Frame | undefined {
    if (this.buffer.length < 8) return undefined;
    const serial = this.buffer.readInt32BE(0);
    const count = this.buffer.readInt32BE(4);
    if (count < 0 || count > this.limits.maxNettyBuffers) {
      throw new FramingError(`netty pack announces ${count} buffers (limit ${this.limits.maxNettyBuffers})`);
    }
    let offset = 8;
    let total = 0;
    const buffers: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (this.buffer.length < offset + 4) return undefined;
      const length = this.buffer.readInt32BE(offset);
      if (length < 0 || length > this.limits.maxFrameBytes) {
        throw new FramingError(`netty buffer of ${length} bytes exceeds the limit of ${this.limits.maxFrameBytes}`);
      }
      total += length;
      if (total > this.limits.maxMessageBytes) throw new FramingError(`netty pack exceeds ${this.limits.maxMessageBytes} bytes`);
      if (this.buffer.length < offset + 4 + length) return undefined;
      buffers.push(this.buffer.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    this.buffer = this.buffer.subarray(offset);
    return { serial, payload: Buffer.concat(buffers) };
  }
}

export function nettyCodec(limits: Limits = DEFAULT_LIMITS): FrameCodec {
  return {
    name: 'netty',
    matchesBySerial: true,
    encode: (payload, serial) => encodeNetty(serial, [payload]),
    decoder: () => new NettyFrameDecoder(limits),
  };
}
