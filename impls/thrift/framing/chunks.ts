// Received bytes as a list of chunks with a read cursor, for reassembling messages from a stream
// in linear time: the cursor only moves forward, skipping a declared length costs nothing (the
// cursor may point past the bytes received so far), and a complete message is copied out once
// (not at all when it lies within one chunk).
import { PagedCopy } from './pages.ts';

export class ChunkCursor {
  private chunks: Buffer[] = [];
  /** Where borrowed chunks are copied to be kept (copyLast): pages used again once nothing held points into them. */
  private readonly paged = new PagedCopy();
  private readonly pagedViews: Buffer[] = [];
  /**
   * Per chunk: still the caller's chunk as pushed, to be told to take's dropped once used up (false
   * once only the rest after a taken part is held, and for a chunk pushed as not the caller's).
   */
  private whole: boolean[] = [];
  /** Per chunk: its bytes stay as they are (false while it is a borrowed chunk, not yet copied). */
  private stable: boolean[] = [];
  /**
   * Room kept after the bytes of the current message (keep): the last chunk is spare[0, spareUsed),
   * and later borrowed chunks are copied into the rest instead of being held apart. Ends at a take.
   */
  private spare: Buffer | undefined;
  private spareUsed = 0;
  /** Whether keep copied the current message into spare already (once per message, so copying stays linear). */
  private kept = false;
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
    const spare = this.spare;
    if (spare !== undefined && !own && chunk.length <= spare.length - this.spareUsed) {
      chunk.copy(spare, this.spareUsed);
      this.spareUsed += chunk.length;
      // While spare is kept it is the only chunk (keep made it so; a take or another push ends it),
      // and the cursor may have moved past its old end: it is in that chunk again.
      this.chunks[this.head] = spare.subarray(0, this.spareUsed);
      this.ci = this.head;
      this.ciStart = 0;
    } else {
      this.spare = undefined;
      this.chunks.push(chunk);
      this.whole.push(own);
      this.stable.push(own);
    }
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
    // Nothing to do when it keeps its bytes already (copied into spare, or copied before).
    if (last < this.head || this.stable[last] === true) return;
    const chunk = this.chunks[last] as Buffer;
    const views = this.pagedViews;
    views.length = 0;
    if (!this.paged.copy(chunk, views)) {
      this.chunks[last] = Buffer.from(chunk);
      this.whole[last] = false;
      this.stable[last] = true;
      return;
    }
    // The copy may span two pages: the last chunk becomes one view per page. A cursor in it stays
    // at its start (settle moves it on); one past it (a declared length skipped beyond the bytes
    // held) stays past it.
    if (this.ci > last) this.ci += views.length - 1;
    this.chunks.pop();
    this.whole.pop();
    this.stable.pop();
    for (const view of views) {
      this.chunks.push(view);
      this.whole.push(false);
      this.stable.push(true);
    }
    views.length = 0;
    this.settle();
  }

  /**
   * What is held of the current message is about to be overwritten (the last chunk is borrowed):
   * keeps it. When the message is known to need `expected` bytes and at least half of them are
   * here, all of it is copied, once per message, into one buffer with room for the rest, which the
   * next borrowed chunks fill in place: a message that comes in several reads is then taken
   * without another copy (a 64 KiB answer: one allocation instead of two). Otherwise only the last
   * chunk is copied. A declared length alone never allocates more than twice the bytes received.
   * dropped is told the caller's chunks that the copy used up, as take tells them.
   */
  keep(expected: number, dropped?: (chunk: Buffer) => void): void {
    if (this.held === 0) return;
    if (this.kept || expected <= this.held || this.held * 2 < expected) {
      this.copyLast();
      return;
    }
    const spare = Buffer.allocUnsafe(expected);
    let at = 0;
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i] as Buffer;
      chunk.copy(spare, at);
      at += chunk.length;
      if (this.whole[i]) dropped?.(chunk); // nothing holds a view of it any more (as in take)
    }
    while (this.chunks.length > 0) {
      this.chunks.pop();
      this.whole.pop();
      this.stable.pop();
    }
    this.chunks.push(spare.subarray(0, at));
    this.whole.push(false);
    this.stable.push(true);
    this.paged.giveBack(); // every chunk was copied into spare
    this.head = 0;
    this.ci = 0;
    this.ciStart = 0;
    this.settle();
    this.spare = spare;
    this.spareUsed = at;
    this.kept = true;
  }

  /** Whether the last take returned a view of a pushed chunk (not a copy). */
  tookView = false;
  /** Whether what the last take returned keeps its bytes: a copy, or a view of a chunk that is not borrowed. */
  tookStable = false;

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
    this.spare = undefined;
    this.kept = false;
    const first = this.chunks[this.head];
    this.tookView = first !== undefined && first.length >= n;
    this.tookStable = !this.tookView || this.stable[this.head] === true;
    if (first !== undefined && first.length >= n) {
      // A message within one chunk is a view of it, but never of a page that is used again.
      out = this.paged.holds(first) ? Buffer.from(first.subarray(0, n)) : first.subarray(0, n);
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
    // Pages go back once nothing held points into them; otherwise they are left to the collector
    // (rare: a read that ended inside the next message), so the pages in use stay few.
    if (this.head === this.chunks.length) this.paged.giveBack();
    else this.paged.forget();
    if (this.head === this.chunks.length) {
      // Emptied in place (pop is inlined; new arrays per message were garbage, and setting length a runtime call).
      while (this.chunks.length > 0) {
        this.chunks.pop();
        this.whole.pop();
        this.stable.pop();
      }
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.whole = this.whole.slice(this.head);
      this.stable = this.stable.slice(this.head);
      this.head = 0;
    }
    this.held -= n;
    this.pos = 0;
    this.ci = this.head;
    this.ciStart = 0;
    return out;
  }
}
