// Client sockets read into a buffer of their own (net's `onread`) instead of net's fresh 64 KiB
// ArrayBuffer for every read. At one small call in flight that allocation was most of what a
// read cost, and the external memory it adds up to drives V8's collections. Node offers `onread`
// only for sockets we connect, not for the ones a server accepts.
//
// Every chunk handed on is owned by whoever receives it (the framing decoders keep views of
// chunks across reads): a small read is copied out (Buffer.allocUnsafe takes it from node's
// pool), and the read buffer is read into again; a large read keeps the buffer, and the next read
// gets a new one (net calls onread.buffer before every read).

/** Bytes read at a time (net's own read size). */
const READ_BUFFER_BYTES = 64 * 1024;
/** A read of at least this many bytes keeps the read buffer instead of being copied out of it. */
const KEEP_BUFFER_BYTES = 4096;

export class OwnReads {
  private buffer: Buffer | undefined;
  private target: ((chunk: Buffer) => void) | undefined;
  /** Chunks that came before anyone listened. */
  private early: Buffer[] = [];

  /** For net.connect's options. */
  readonly onread = {
    buffer: (): Buffer => {
      this.buffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
      return this.buffer;
    },
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      const chunk = this.own(bytes, buffer);
      if (this.target) this.target(chunk);
      else this.early.push(chunk);
      return true;
    },
  };

  /** Where chunks go from now on (the early ones first). */
  deliverTo(target: (chunk: Buffer) => void): void {
    this.target = target;
    const early = this.early;
    this.early = [];
    for (const chunk of early) target(chunk);
  }

  private own(bytes: number, buffer: Uint8Array): Buffer {
    const read = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
    if (bytes >= KEEP_BUFFER_BYTES) {
      this.buffer = undefined;
      return read;
    }
    const copy = Buffer.allocUnsafe(bytes);
    read.copy(copy);
    return copy;
  }
}
