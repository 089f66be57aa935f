// Avro standard framing (spec "Message Framing"): a message is a series of frames, each a 4-byte
// big-endian length and that many bytes, ended by a frame of length zero. Used by HTTP bodies,
// raw TCP (Java SocketServer) and, after negotiation, SASL.
//
// Decoding is linear in the bytes received: frames are kept as views of the chunks they arrived
// in and joined once, when the message ends (byte-queue.ts).
import { DEFAULT_LIMITS, FramingError, resolveLimits, type Limits } from '../limits.ts';
import { ByteQueue, joinInPlace, joinViews } from './byte-queue.ts';
import type { DecoderOptions, Frame, FrameCodec, FrameDecoder } from './codec.ts';
import { describeForeignStream } from './sniff.ts';

/** Netty buffers are cut at this size when writing, as Java does (netty.ts). */
export const WRITE_FRAME_BYTES = 8192;

/**
 * Standard framing writes a message as few frames as it can: one frame for all its parts, cut
 * only at this size. Any cut is valid on the wire; Java writes one frame per 8 KiB buffer, but
 * its readers (SocketServer, SaslSocketServer, HttpTransceiver) pay a read and an allocation per
 * frame (two read system calls on a socket), and so did every peer reading our 8 KiB frames:
 * a 64 KiB echo was 9 frames, an int call 2 or 3 (one per part). Receivers allocate a frame
 * whole, so the cut stays well below every receiver's frame limit (ours: 16,384,000 bytes).
 */
export const MAX_WRITE_FRAME_BYTES = 1024 * 1024;

const TERMINATOR = Buffer.alloc(4);

function lengthHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(length, 0);
  return header;
}

/**
 * A message up to this size is framed into one new buffer: copying a few small parts once costs
 * less than a header buffer, a list of views and the join of them all before the write (the
 * socket writers coalesce small buffers anyway: impls/wire/coalesce.ts).
 */
const ONE_BUFFER_BYTES = 4096;

/**
 * Frames a message given in parts: headers and views of the parts, ready for a vectored write.
 * A frame spans parts; the parts are not copied, except that a small message is one buffer.
 */
export function encodeStandardParts(parts: readonly Buffer[], maxFrameBytes = MAX_WRITE_FRAME_BYTES): Buffer[] {
  let left = 0;
  for (const part of parts) left += part.length;
  if (left > 0 && left <= ONE_BUFFER_BYTES && left <= maxFrameBytes) {
    const framed = Buffer.allocUnsafe(left + 8);
    framed.writeUInt32BE(left, 0);
    let at = 4;
    for (const part of parts) {
      framed.set(part, at);
      at += part.length;
    }
    framed.writeUInt32BE(0, at);
    return [framed];
  }
  const out: Buffer[] = [];
  let index = 0;
  let offset = 0;
  while (left > 0) {
    const frameLength = Math.min(left, maxFrameBytes);
    out.push(lengthHeader(frameLength));
    for (let need = frameLength; need > 0;) {
      const part = parts[index] as Buffer;
      const n = Math.min(part.length - offset, need);
      if (n > 0) out.push(n === part.length ? part : part.subarray(offset, offset + n));
      need -= n;
      offset += n;
      if (offset === part.length) {
        index++;
        offset = 0;
      }
    }
    left -= frameLength;
  }
  out.push(TERMINATOR);
  return out;
}

export function encodeStandard(payload: Buffer): Buffer {
  return Buffer.concat(encodeStandardParts([payload]));
}

export class StandardFrameDecoder implements FrameDecoder {
  private readonly queue = new ByteQueue();
  /** Frames of the message being received, as views. */
  private frames: Buffer[] = [];
  private messageBytes = 0;
  /** Length of the frame whose header was read, while its bytes are awaited. */
  private frameLength: number | undefined;

  private readonly limits: Limits;
  private readonly rewriteChunks: boolean;

  constructor(limits: Partial<Limits> = DEFAULT_LIMITS, options: DecoderOptions = {}) {
    this.limits = resolveLimits(limits);
    this.rewriteChunks = options.rewriteChunks ?? false;
  }

  get pending(): number {
    return this.queue.length + this.messageBytes + (this.frameLength === undefined ? 0 : 4);
  }

  push(chunk: Buffer): Frame[] {
    this.feed(chunk);
    const messages: Frame[] = [];
    for (;;) {
      const message = this.next();
      if (message === undefined) return messages;
      messages.push({ serial: undefined, payload: message });
    }
  }

  /** Queues bytes without decoding them (next() decodes). */
  feed(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** The next whole message from the bytes fed so far, or undefined when more are needed. */
  next(): Buffer | undefined {
    for (;;) {
      if (this.frameLength === undefined) {
        if (this.queue.length < 4) return undefined;
        const length = this.queue.uint32At(0);
        if (length > this.limits.maxFrameBytes) {
          const hint = this.queue.consumed === 0 ? describeForeignStream(this.queue.peek(8), 'Avro standard') : '';
          throw new FramingError(`frame of ${length} bytes exceeds the limit of ${this.limits.maxFrameBytes}.${hint}`);
        }
        if (this.messageBytes + length > this.limits.maxMessageBytes) {
          throw new FramingError(`message exceeds the limit of ${this.limits.maxMessageBytes} bytes`);
        }
        this.queue.skip(4);
        if (length === 0) {
          const message = (this.rewriteChunks ? joinInPlace(this.frames, this.messageBytes) : undefined) ?? joinViews(this.frames, this.messageBytes);
          this.frames = [];
          this.messageBytes = 0;
          return message;
        }
        this.frameLength = length;
      }
      if (this.queue.length < this.frameLength) return undefined;
      this.queue.take(this.frameLength, this.frames);
      this.messageBytes += this.frameLength;
      this.frameLength = undefined;
    }
  }
}

/**
 * Decodes one HTTP body that must hold exactly one message, as it arrives, and fails as soon as
 * it cannot be one: an empty message, a second message, or too many empty frames after it.
 *
 * Extra zero-length frames after the message are accepted, up to limits.maxTrailingEmptyFrames:
 * Java's HttpTransceiver writes every buffer of its request as a frame, empty ones included, so
 * a call whose parameters encode to nothing (echoNull(null), a message without parameters) ends
 * in two terminators. Java's own server stops at the first and ignores the rest; so do we.
 * Counting them (instead of collecting one empty message per 4 zero bytes, as before) keeps a
 * body of 100 MB of zeros from becoming 25 million message objects.
 */
export class StandardBodyDecoder {
  private readonly decoder: StandardFrameDecoder;
  private message: Buffer | undefined;
  private trailing = 0;
  private readonly limits: Limits;
  private readonly allowEmpty: boolean;

  constructor(limits: Partial<Limits> = DEFAULT_LIMITS, options: { allowEmptyMessage?: boolean } = {}) {
    this.limits = resolveLimits(limits);
    this.decoder = new StandardFrameDecoder(this.limits);
    this.allowEmpty = options.allowEmptyMessage ?? true;
  }

  push(chunk: Buffer): void {
    this.decoder.feed(chunk);
    for (;;) {
      const next = this.decoder.next();
      if (next === undefined) return;
      if (this.message === undefined) {
        if (next.length === 0 && !this.allowEmpty) throw new FramingError('body holds an empty message (a request carries at least a handshake or a call)');
        this.message = next;
      } else if (next.length > 0) {
        throw new FramingError('body holds more than one framed message');
      } else if (++this.trailing > this.limits.maxTrailingEmptyFrames) {
        throw new FramingError(`body goes on after its message with more than ${this.limits.maxTrailingEmptyFrames} empty frames`);
      }
    }
  }

  /** The message, once the body has ended. */
  finish(bodyBytes: number): Buffer {
    if (this.message === undefined) throw new FramingError(`body of ${bodyBytes} bytes holds no complete framed message (truncated?)`);
    if (this.decoder.pending > 0) throw new FramingError(`body has ${this.decoder.pending} bytes after its framed message`);
    return this.message;
  }
}

/** Decodes one complete body (an HTTP request or response) that must hold exactly one message. */
export function decodeStandardBody(body: Buffer, limits: Partial<Limits> = DEFAULT_LIMITS): Buffer {
  const decoder = new StandardBodyDecoder(limits);
  decoder.push(body);
  return decoder.finish(body.length);
}

export function standardCodec(limits: Partial<Limits> = DEFAULT_LIMITS): FrameCodec {
  return {
    name: 'standard',
    matchesBySerial: false,
    encode: (payload) => encodeStandard(payload),
    encodeParts: (parts) => encodeStandardParts(parts),
    decoder: (options = {}) => new StandardFrameDecoder(limits, options),
  };
}
