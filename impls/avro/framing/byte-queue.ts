// Bytes received but not yet consumed, kept as the chunks they arrived in. Decoders take what
// they need from the front without copying, so that reassembling a message costs one copy at
// most (when it spans chunks), whatever the number of chunks: linear, where appending each
// chunk to one growing buffer copies everything received so far each time (quadratic).
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Index in `chunks` of the first chunk still holding unconsumed bytes. */
  private head = 0;
  /** Bytes of the head chunk already consumed. */
  private offset = 0;
  private size = 0;
  /** Bytes consumed since the queue was made (to tell the start of a stream apart). */
  private taken = 0;

  get length(): number {
    return this.size;
  }

  get consumed(): number {
    return this.taken;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The byte at `index` from the front (index < length). */
  byteAt(index: number): number {
    let at = index + this.offset;
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i] as Buffer;
      if (at < chunk.length) return chunk[at] as number;
      at -= chunk.length;
    }
    throw new RangeError(`byte ${index} is beyond the ${this.size} queued`);
  }

  /** The big-endian 32-bit value at `index` from the front (index + 4 <= length). */
  uint32At(index: number): number {
    const first = this.chunks[this.head];
    const at = index + this.offset;
    if (first && at + 4 <= first.length) return first.readUInt32BE(at);
    return ((this.byteAt(index) << 24) | (this.byteAt(index + 1) << 16) | (this.byteAt(index + 2) << 8) | this.byteAt(index + 3)) >>> 0;
  }

  int32At(index: number): number {
    return this.uint32At(index) | 0;
  }

  /** Up to `count` bytes from the front, copied (for error messages and sniffing). */
  peek(count: number): Buffer {
    const bytes: number[] = [];
    for (let i = 0; i < Math.min(count, this.size); i++) bytes.push(this.byteAt(i));
    return Buffer.from(bytes);
  }

  /** Removes `count` bytes from the front and returns them as views of the chunks (no copy). */
  take(count: number, into: Buffer[] = []): Buffer[] {
    if (count > this.size) throw new RangeError(`cannot take ${count} bytes, ${this.size} queued`);
    let left = count;
    while (left > 0) {
      const chunk = this.chunks[this.head] as Buffer;
      const available = chunk.length - this.offset;
      const n = Math.min(available, left);
      into.push(chunk.subarray(this.offset, this.offset + n));
      left -= n;
      this.advance(n, available);
    }
    return into;
  }

  skip(count: number): void {
    if (count > this.size) throw new RangeError(`cannot skip ${count} bytes, ${this.size} queued`);
    let left = count;
    while (left > 0) {
      const available = (this.chunks[this.head] as Buffer).length - this.offset;
      const n = Math.min(available, left);
      left -= n;
      this.advance(n, available);
    }
  }

  /** Everything queued, as views, emptying the queue. */
  takeAll(): Buffer[] {
    return this.take(this.size);
  }

  private advance(n: number, available: number): void {
    this.size -= n;
    this.taken += n;
    if (n === available) {
      this.chunks[this.head] = EMPTY; // let the chunk go
      this.head++;
      this.offset = 0;
      if (this.head > 64 && this.head * 2 > this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    } else {
      this.offset += n;
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** One buffer out of views: the views themselves when there is one, else a single copy. */
export function joinViews(views: readonly Buffer[], total?: number): Buffer {
  if (views.length === 1) return views[0] as Buffer;
  return Buffer.concat(views, total);
}

/**
 * A message's frames (standard framing) or buffers (Netty framing) joined where they lie, when
 * they are consecutive in one ArrayBuffer with only their 4-byte length headers between them (or
 * nothing, where a frame came in two reads): a message read into one slab of socket/reads.ts, as
 * Java's servers send it, one frame or buffer per 8 KiB. Each piece moves back over the headers
 * before it, and the message is a view of the first piece's start. No allocation and one move
 * of the bytes, where Buffer.concat allocates the message's size and copies. Undefined when the
 * frames do not lie so (the caller joins them by copying). Only for chunks the decoder may rewrite
 * (DecoderOptions): it overwrites consumed headers and frames.
 */
export function joinInPlace(frames: readonly Buffer[], total: number): Buffer | undefined {
  const first = frames[0];
  if (first === undefined || frames.length < 2) return undefined;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < frames.length; i++) {
    const frame = frames[i] as Buffer;
    // 4: a frame header lay between; 0: one frame read in two reads (two views).
    if (frame.buffer !== first.buffer || (frame.byteOffset !== end + 4 && frame.byteOffset !== end)) return undefined;
    end = frame.byteOffset + frame.length;
  }
  const bytes = new Uint8Array(first.buffer);
  let at = first.byteOffset + first.length;
  for (let i = 1; i < frames.length; i++) {
    const frame = frames[i] as Buffer;
    if (frame.byteOffset !== at) bytes.copyWithin(at, frame.byteOffset, frame.byteOffset + frame.length);
    at += frame.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, total);
}
