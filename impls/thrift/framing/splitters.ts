// Cutting a received byte stream into messages: unframed (the protocol's own structure says where
// a message ends) and framed (a 4-byte big-endian length before each message).
import { ProtocolError, SizeError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { ChunkCursor } from './chunks.ts';
import { PagedCopy } from './pages.ts';
import { scannerFor, type MessageScanner } from './scanners.ts';

export interface Splitter {
  /**
   * Feeds bytes; returns every message (or frame) they complete. Throws on bad framing or a limit.
   * borrowed: the chunk's memory is reused once push returns (ReusedReads), so neither what is
   * returned nor what is kept may point into it.
   */
  push(chunk: Buffer, borrowed?: boolean): readonly Buffer[];
  /** Bytes held of a message not complete yet (0 between messages). */
  readonly pending: number;
  /**
   * Unborrowed chunks the last push has finished with and kept no view of (not in a message it
   * returned, not in the part of one it holds): the caller may release them (Link.release).
   * Valid until the next push.
   */
  readonly done: readonly Buffer[];
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

  /** Chunks the cursor dropped once a message spanning them had been copied out. */
  readonly done: Buffer[] = [];
  private readonly dropped = (chunk: Buffer): void => {
    this.done.push(chunk);
  };

  push(chunk: Buffer, borrowed = false): readonly Buffer[] {
    this.done.length = 0;
    // A borrowed chunk is scanned where it is: a message within it is copied out alone (one copy,
    // of the message only), and what is left of it when the push ends is copied to be kept (it is
    // the start of a message). Only the caller's own chunks are reported done.
    this.cursor.push(chunk, !borrowed);
    let out: Buffer[] | undefined;
    while (this.cursor.length > 0) {
      const length = this.scanner.scan(this.cursor);
      if (length < 0) break;
      let message = this.cursor.take(length, this.dropped);
      if (!this.cursor.tookStable) message = Buffer.from(message);
      if (out === undefined) out = [message];
      else out.push(message);
      this.scanner.reset();
    }
    // The scanner's cursor may stand past the bytes held (a declared length it skipped): the least
    // the message still needs, and room for its end (a stop or two) beyond that.
    if (borrowed && this.cursor.length > 0) this.cursor.keep(this.cursor.pos + MESSAGE_END_ROOM, this.dropped);
    return out ?? NO_MESSAGES;
  }
}

/** Bytes kept beyond the scanner's position for the end of a message (the stops of its structs). */
const MESSAGE_END_ROOM = 16;

/** What a push returns when it completes no message (never written to). */
const NO_MESSAGES: readonly Buffer[] = [];

/** Frames of a 4-byte big-endian length (TFramedTransport, TFastFramedTransport, THeader). */
export class FrameSplitter implements Splitter {
  private readonly maxFrameSize: number;
  /** The 4-byte length of the next frame, and how many of its bytes have come (it may come split). */
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeHave = 0;
  /** The current frame's size, once its length is complete (-1 before). */
  private size = -1;
  /**
   * The current frame's bytes so far: a list of parts until half of the frame has come, then one
   * buffer of its whole size filled in place. So a frame is copied once (twice for a part of it
   * that came in many small reads), and a declared size never costs more than twice the bytes
   * that really came (a hostile length alone allocates nothing).
   */
  private parts: Buffer[] = [];
  /** Where borrowed parts are copied: pages used again, given back once the frame has its own buffer. */
  private readonly paged = new PagedCopy();
  private frame: Buffer | undefined;
  private have = 0;

  constructor(limits: Limits) {
    this.maxFrameSize = limits.maxFrameSize;
  }

  get pending(): number {
    return this.size < 0 ? this.sizeHave : 4 + this.have;
  }

  readonly done: Buffer[] = [];
  /** The chunk being pushed is kept as a view (in a returned frame or a held part). */
  private kept = false;

  push(chunk: Buffer, borrowed = false): Buffer[] {
    this.done.length = 0;
    this.kept = false;
    const out = this.split(chunk, borrowed);
    if (!borrowed && !this.kept) this.done.push(chunk);
    return out;
  }

  private split(chunk: Buffer, borrowed: boolean): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.size < 0) {
        if (this.sizeHave === 0 && chunk.length - at >= 4) {
          this.size = this.checkSize(chunk.readInt32BE(at));
          at += 4;
        } else {
          const n = Math.min(4 - this.sizeHave, chunk.length - at);
          chunk.copy(this.sizeBytes, this.sizeHave, at, at + n);
          this.sizeHave += n;
          at += n;
          if (this.sizeHave < 4) break;
          this.size = this.checkSize(this.sizeBytes.readInt32BE(0));
        }
        this.sizeHave = 0;
        this.have = 0;
      }
      const size = this.size;
      const available = chunk.length - at;
      const missing = size - this.have;
      if (this.frame === undefined && this.have === 0 && available >= size) {
        // The whole frame is in this chunk: no copy unless the chunk is borrowed.
        out.push(borrowed ? Buffer.from(chunk.subarray(at, at + size)) : chunk.subarray(at, at + size));
        if (!borrowed) this.kept = true;
        at += size;
        this.size = -1;
        continue;
      }
      if (this.frame === undefined && (this.have + available) * 2 >= size) {
        // Half of the frame or more is here: from now on it is filled in place.
        this.frame = Buffer.allocUnsafe(size);
        let filled = 0;
        for (const part of this.parts) filled += part.copy(this.frame, filled);
        this.parts = [];
        this.paged.giveBack();
      }
      const n = Math.min(missing, available);
      if (this.frame !== undefined) {
        chunk.copy(this.frame, this.have, at, at + n);
      } else {
        const part = chunk.subarray(at, at + n);
        if (!borrowed) this.parts.push(part);
        else if (!this.paged.copy(part, this.parts)) this.parts.push(Buffer.from(part));
        if (!borrowed) this.kept = true;
      }
      this.have += n;
      at += n;
      if (this.have < size) break;
      out.push(this.frame as Buffer);
      this.frame = undefined;
      this.have = 0;
      this.size = -1;
    }
    return out;
  }

  private checkSize(size: number): number {
    if (size <= 0) throw new ProtocolError(`frame size ${size} (a frame holds at least one byte)`);
    if (size > this.maxFrameSize) throw new SizeError(`frame size ${size} is over the limit of ${this.maxFrameSize} bytes`);
    return size;
  }
}

export function splitterFor(framing: 'unframed' | 'framed', protocol: ProtocolName, limits: Limits): Splitter {
  return framing === 'framed' ? new FrameSplitter(limits) : new UnframedSplitter(protocol, limits);
}
