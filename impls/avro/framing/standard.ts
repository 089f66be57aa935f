// Avro standard framing (spec "Message Framing"): a message is a series of frames, each a 4-byte
// big-endian length and that many bytes, ended by a frame of length zero. Used by HTTP bodies,
// raw TCP (Java SocketServer) and, after negotiation, SASL.
import { DEFAULT_LIMITS, FramingError, type Limits } from '../limits.ts';
import type { Frame, FrameCodec, FrameDecoder } from './codec.ts';

/** Frames are cut at this size when writing, as Java does (any cut is valid on the wire). */
export const WRITE_FRAME_BYTES = 8192;

export function encodeStandard(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += WRITE_FRAME_BYTES) {
    const chunk = payload.subarray(offset, offset + WRITE_FRAME_BYTES);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(chunk.length, 0);
    parts.push(header, chunk);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export class StandardFrameDecoder implements FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private frames: Buffer[] = [];
  private messageBytes = 0;

  private readonly limits: Limits;

  constructor(limits: Limits = DEFAULT_LIMITS) {
    this.limits = limits;
  }

  get pending(): number {
    return this.buffer.length + this.messageBytes;
  }

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Frame[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (length > this.limits.maxFrameBytes) {
        throw new FramingError(`frame of ${length} bytes exceeds the limit of ${this.limits.maxFrameBytes}`);
      }
      if (this.messageBytes + length > this.limits.maxMessageBytes) {
        throw new FramingError(`message exceeds the limit of ${this.limits.maxMessageBytes} bytes`);
      }
      if (this.buffer.length < 4 + length) break;
      const frame = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      if (length === 0) {
        messages.push({ serial: undefined, payload: Buffer.concat(this.frames) });
        this.frames = [];
        this.messageBytes = 0;
      } else {
        this.frames.push(frame);
        this.messageBytes += length;
      }
    }
    return messages;
  }
}

/**
 * Decodes one complete body (an HTTP request or response) that must hold exactly one message.
 *
 * Extra zero-length frames after the message are accepted: Java's HttpTransceiver writes every
 * buffer of its request as a frame, empty ones included, so a call whose parameters encode to
 * nothing (echoNull(null), a message without parameters) ends in two terminators. Java's own
 * server stops at the first and ignores the rest; so do we. Anything non-empty after the
 * message is still an error.
 */
export function decodeStandardBody(body: Buffer, limits: Limits = DEFAULT_LIMITS): Buffer {
  const decoder = new StandardFrameDecoder(limits);
  const messages = decoder.push(body);
  const [first, ...rest] = messages;
  if (!first) throw new FramingError(`body of ${body.length} bytes holds no complete framed message (truncated?)`);
  if (rest.some((message) => message.payload.length > 0)) throw new FramingError('body holds more than one framed message');
  if (decoder.pending > 0) throw new FramingError(`body has ${decoder.pending} bytes after its framed message`);
  return first.payload;
}

export function standardCodec(limits: Limits = DEFAULT_LIMITS): FrameCodec {
  return {
    name: 'standard',
    matchesBySerial: false,
    encode: (payload) => encodeStandard(payload),
    decoder: () => new StandardFrameDecoder(limits),
  };
}
