// Cuts a byte stream into Thrift messages. Framed: 4-byte big-endian length, then the message,
// the length checked against the frame limit before anything waits for it. Buffered: no
// boundaries on the wire, so the reader tries to decode what has arrived and waits for more on an
// underrun (the limit on the bytes held bounds how long that can go on).
import { LimitExceeded, type Limits } from './limits.ts';
import { isUnderrun } from './transports.ts';

export type Framing = 'buffered' | 'framed';

/** Decodes one message from the front of data; returns how many bytes it used. Throws npm's underrun when data is short. */
export type MessageDecoder = (data: Buffer, complete: boolean) => number;

export class MessageStream {
  private pending: Buffer = Buffer.alloc(0);

  private readonly framing: Framing;
  private readonly limits: Limits;
  private readonly decode: MessageDecoder;

  constructor(framing: Framing, limits: Limits, decode: MessageDecoder) {
    this.framing = framing;
    this.limits = limits;
    this.decode = decode;
  }

  /** Feeds received bytes; decodes every complete message. Throws on a protocol or limit error. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.framing === 'framed') this.drainFrames();
    else this.drainBuffered();
  }

  get buffered(): number {
    return this.pending.length;
  }

  private drainFrames(): void {
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 0 || size > this.limits.maxFrameSize) {
        throw new LimitExceeded(`frame size ${size} outside 0..${this.limits.maxFrameSize}`);
      }
      if (this.pending.length < 4 + size) return;
      const frame = this.pending.subarray(4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      let used: number;
      try {
        used = this.decode(frame, true);
      } catch (error) {
        if (isUnderrun(error)) throw new LimitExceeded(`truncated message: the frame of ${size} bytes ends inside it`);
        throw error;
      }
      if (used !== frame.length) throw new LimitExceeded(`frame of ${size} bytes holds ${size - used} bytes after its message`);
    }
  }

  private drainBuffered(): void {
    while (this.pending.length > 0) {
      let used: number;
      try {
        used = this.decode(this.pending, false);
      } catch (error) {
        if (!isUnderrun(error)) throw error;
        if (this.pending.length > this.limits.maxMessageSize) {
          throw new LimitExceeded(`message larger than ${this.limits.maxMessageSize} bytes`);
        }
        return;
      }
      this.pending = this.pending.subarray(used);
    }
  }
}

export function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(message.length);
  return Buffer.concat([header, message]);
}
