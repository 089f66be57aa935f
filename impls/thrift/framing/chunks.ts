// Received bytes as a list of chunks with a read cursor, for reassembling messages from a stream
// in linear time: the cursor only moves forward, skipping a declared length costs nothing (the
// cursor may point past the bytes received so far), and a complete message is copied out once
// (not at all when it lies within one chunk).

export class ChunkCursor {
  private chunks: Buffer[] = [];
  /**
   * Per chunk: still the caller's chunk as pushed, to be told to take's dropped once used up (false
   * once only the rest after a taken part is held, and for a chunk pushed as not the caller's).
   */
  private whole: boolean[] = [];
  /** Index of the first chunk still held (consumed chunks before it are dropped in batches). */
  private head = 0;
  /** Bytes held (from the start of the current message). */
  private held = 0;
  /** The cursor, as an offset from the start of the current message. */
  pos = 0;
  /** The chunk the cursor is in (an index into chunks), and that chunk's start offset. */
  private ci = 0;
  private ciStart = 0;

  /** Bytes held from the start of the current message. */
  get length(): number {
    return this.held;
  }

  /** Bytes available at the cursor. */
  get available(): number {
    return this.held - this.pos;
  }

  /** own: the chunk is the caller's (reported to take's dropped when used up). */
  push(chunk: Buffer, own = true): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.whole.push(own);
    this.held += chunk.length;
    this.settle();
  }

  /**
   * The last chunk pushed, or what is still held of it, is replaced by a copy (the caller's memory
   * is about to be reused). Only when some of it is held (length > 0 means the last chunk is held:
   * chunks are used up in order).
   */
  copyLast(): void {
    const last = this.chunks.length - 1;
    if (last < this.head) return;
    this.chunks[last] = Buffer.from(this.chunks[last] as Buffer);
    this.whole[last] = false;
  }

  /** Whether the last take returned a view of a pushed chunk (not a copy). */
  tookView = false;

  /** Moves the chunk index to the chunk holding pos (amortized: each chunk is passed once). */
  private settle(): void {
    for (;;) {
      const chunk = this.chunks[this.ci];
      if (chunk === undefined || this.pos < this.ciStart + chunk.length) return;
      this.ciStart += chunk.length;
      this.ci++;
    }
  }

  /** The byte k positions after the cursor (the caller checked available > k). */
  peek(k: number): number {
    let ci = this.ci;
    let offset = this.pos + k - this.ciStart;
    for (;;) {
      const chunk = this.chunks[ci] as Buffer;
      if (offset < chunk.length) return chunk[offset] as number;
      offset -= chunk.length;
      ci++;
    }
  }

  /** A big-endian int32 at k after the cursor (the caller checked available >= k + 4). */
  peekInt32(k: number): number {
    return ((this.peek(k) << 24) | (this.peek(k + 1) << 16) | (this.peek(k + 2) << 8) | this.peek(k + 3)) | 0;
  }

  /** The chunk the cursor is in and the cursor's offset in it (undefined when no byte is available). */
  chunkAtCursor(): [Buffer, number] | undefined {
    const chunk = this.chunks[this.ci];
    if (chunk === undefined || this.pos < this.ciStart) return undefined;
    return [chunk, this.pos - this.ciStart];
  }

  /** Moves the cursor n bytes on; it may end beyond the bytes held (a length not yet received). */
  advance(n: number): void {
    this.pos += n;
    this.settle();
  }

  /**
   * The bytes [0, n) as one Buffer (no copy when they lie in one chunk); drops them and resets the
   * cursor. dropped is told each chunk, as it was pushed, that the copy used up: nothing holds a
   * view of it any more (not the rest of a chunk something was taken from before).
   */
  take(n: number, dropped?: (chunk: Buffer) => void): Buffer {
    let out: Buffer;
    const first = this.chunks[this.head];
    this.tookView = first !== undefined && first.length >= n;
    if (first !== undefined && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) {
        this.head++;
      } else {
        this.chunks[this.head] = first.subarray(n);
        this.whole[this.head] = false;
      }
    } else {
      out = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const chunk = this.chunks[this.head] as Buffer;
        const part = Math.min(chunk.length, n - copied);
        chunk.copy(out, copied, 0, part);
        copied += part;
        if (part === chunk.length) {
          if (this.whole[this.head]) dropped?.(chunk);
          this.head++;
        } else {
          this.chunks[this.head] = chunk.subarray(part);
          this.whole[this.head] = false;
        }
      }
    }
    if (this.head === this.chunks.length) {
      // Emptied in place (pop is inlined; new arrays per message were garbage, and setting length a runtime call).
      while (this.chunks.length > 0) {
        this.chunks.pop();
        this.whole.pop();
      }
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.whole = this.whole.slice(this.head);
      this.head = 0;
    }
    this.held -= n;
    this.pos = 0;
    this.ci = this.head;
    this.ciStart = 0;
    return out;
  }
}
