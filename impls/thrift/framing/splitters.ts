// Cutting a received byte stream into messages: unframed (the protocol's own structure says where
// a message ends) and framed (a 4-byte big-endian length before each message).
import { ProtocolError, SizeError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { ChunkCursor } from './chunks.ts';
import { scannerFor, type MessageScanner } from './scanners.ts';

export interface Splitter {
  /** Feeds bytes; returns every message (or frame) they complete. Throws on bad framing or a limit. */
  push(chunk: Buffer): Buffer[];
  /** Bytes held of a message not complete yet (0 between messages). */
  readonly pending: number;
}

/** Unframed messages of one protocol (TBufferedTransport, and the inside of TZlibTransport). */
export class UnframedSplitter implements Splitter {
  private readonly cursor = new ChunkCursor();
  private readonly scanner: MessageScanner;

  constructor(protocol: ProtocolName, limits: Limits) {
    this.scanner = scannerFor(protocol, limits);
  }

  get pending(): number {
    return this.cursor.length;
  }

  push(chunk: Buffer): Buffer[] {
    this.cursor.push(chunk);
    const out: Buffer[] = [];
    while (this.cursor.length > 0) {
      const length = this.scanner.scan(this.cursor);
      if (length < 0) break;
      out.push(this.cursor.take(length));
      this.scanner.reset();
    }
    return out;
  }
}

/** Frames of a 4-byte big-endian length (TFramedTransport, TFastFramedTransport, THeader). */
export class FrameSplitter implements Splitter {
  private readonly cursor = new ChunkCursor();
  private readonly maxFrameSize: number;
  private size = -1;

  constructor(limits: Limits) {
    this.maxFrameSize = limits.maxFrameSize;
  }

  get pending(): number {
    return this.cursor.length;
  }

  push(chunk: Buffer): Buffer[] {
    this.cursor.push(chunk);
    const out: Buffer[] = [];
    for (;;) {
      if (this.size < 0) {
        if (this.cursor.length < 4) break;
        const size = this.cursor.peekInt32(0);
        if (size <= 0) throw new ProtocolError(`frame size ${size} (a frame holds at least one byte)`);
        if (size > this.maxFrameSize) throw new SizeError(`frame size ${size} is over the limit of ${this.maxFrameSize} bytes`);
        this.size = size;
      }
      if (this.cursor.length < 4 + this.size) break;
      out.push(this.cursor.take(4 + this.size).subarray(4));
      this.size = -1;
    }
    return out;
  }
}

/** The 4-byte big-endian length of a frame, then its segments. */
export function frameSegments(segments: Buffer[], length: number): Buffer[] {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(length);
  return [header, ...segments];
}

export function splitterFor(framing: 'unframed' | 'framed', protocol: ProtocolName, limits: Limits): Splitter {
  return framing === 'framed' ? new FrameSplitter(limits) : new UnframedSplitter(protocol, limits);
}
