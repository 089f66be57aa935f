// Our sockets read into buffers of their own (net's `onread`) instead of net's fresh 64 KiB
// ArrayBuffer for every read: the client's sockets, and those our server accepts, which
// impls/wire/accepted-reads.ts re-makes with `onread` (Node offers it only for sockets it connects).
// Each connection has its own: the decoders move a message's frames together where they lie
// (joinInPlace), which in a buffer shared by several connections could take another connection's
// 4-byte read between two frames for a frame header and overwrite it.
//
// One slab is read into until it is nearly full: each read goes into the slab's unused rest and
// the chunk handed on is a view of what it filled. Chunks never overlap and no region is read
// into twice, so every chunk stays intact for whoever receives it (the framing decoders keep
// views of chunks across reads) without a copy. Before (a 64 KiB buffer per read of 4 KiB or
// more, small reads copied out), an answer of 64 KiB from Java's SocketServer, which writes each
// 8 KiB buffer and its length separately and so arrives in a dozen reads or more, cost a dozen
// 64 KiB ArrayBuffers: in a bench profile of that call (issue 15), allocating them and the
// collections their external memory drove took ~45% of the client's busy time.
//
// Memory: a chunk keeps its whole slab alive while anyone holds it (a pending partial message, or
// a bytes value of 64 KiB or more, which decode.ts returns as a view of a one-frame message). So a
// server's connection holds the slab it reads into (256 KiB, or one sized for a larger expected
// message, up to MAX_SLAB_BYTES) and any older slab a partial message or a kept value still lies
// in: of the order of what it is sent, which maxMessageBytes bounds per connection anyway.
//
// Large messages: the channel tells (expect) how long the last message was; when the slab's rest
// cannot hold one more of that size, the next read starts a slab that can (up to MAX_SLAB_BYTES).
// The next message then lies in one slab and is joined in place (framing/byte-queue.ts
// joinInPlace). Before, a 1 MiB answer spanned five 256 KiB slabs and was joined into a new 1 MiB
// buffer: 2.25 MiB allocated from JavaScript per answer, which V8 counts as external memory and
// answers with mark-compacts (profile/README.md, seventh pass); now one slab of the message's size.
//
// Repeated messages of 64 KiB to 256 KiB (eighth pass): a slab is sized to hold a whole number of
// them, and while the rest of the message expected is known to fit the slab's rest, the read gets
// that rest even when it is under 64 KiB. Before, a 64 KiB echo's answer (65.6 KiB on the wire)
// took 85 KiB of slab per call, and every third answer crossed into the next slab just before its
// end (the 64 KiB minimum replaced the slab mid-message) and was joined by copying: ~107 KiB
// allocated per call on raw TCP. Node 24 before 24.11.1 zero-fills allocUnsafeSlow too
// (nodejs/node#60423), so every byte of slab allocated costs a memset; now ~66 KiB per call.

/** Bytes of one slab. */
const SLAB_BYTES = 256 * 1024;
/** A read never gets less room than this (net's own read size): a fuller slab is replaced. */
const MIN_READ_BYTES = 64 * 1024;
/** The largest slab made for an expected message; longer messages span slabs and are copied. */
export const MAX_SLAB_BYTES = 8 * 1024 * 1024;
/** Room beyond the expected messages in a slab made for them: the next may be a little longer. */
const SLACK_BYTES = 4096;

export class OwnReads {
  private slab: Buffer | undefined;
  /** Bytes of the slab already handed on. */
  private used = 0;
  private target: ((chunk: Buffer) => void) | undefined;
  /** Chunks that came before anyone listened. */
  private early: Buffer[] = [];
  /** Bytes of the next slab made. */
  private nextSlabBytes = SLAB_BYTES;
  /**
   * Bytes of the expected message (expect) not read yet; 0 when unknown or read. A read whose
   * room holds them all needs no more room than that: the message still lies in one slab.
   */
  private expectedLeft = 0;

  /** For net.connect's options: net asks for the buffer of the next read, then calls back with it. */
  readonly onread = {
    buffer: (): Buffer => {
      if (!this.roomWillDo()) {
        this.slab = Buffer.allocUnsafeSlow(this.nextSlabBytes);
        this.nextSlabBytes = SLAB_BYTES;
        this.used = 0;
      }
      return (this.slab as Buffer).subarray(this.used);
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

  /**
   * The next message is likely `bytes` long on the wire (the last one was; called between
   * messages, nothing of the next one read yet): when the slab's rest cannot hold that many, the
   * next read starts a slab that can.
   */
  expect(bytes: number): void {
    this.expectedLeft = bytes;
    const wanted = Math.min(bytes, MAX_SLAB_BYTES - SLACK_BYTES);
    if (wanted <= MIN_READ_BYTES) return; // a read's usual room holds it, and the rest rule keeps it whole
    if (this.slab !== undefined && this.slab.length - this.used >= wanted) return;
    this.slab = undefined;
    // A whole number of such messages (reads.ts header), and a little more for one a bit longer.
    this.nextSlabBytes = Math.max(1, Math.floor(SLAB_BYTES / wanted)) * wanted + SLACK_BYTES;
  }

  /** Whether the slab's rest will do for the next read. */
  private roomWillDo(): boolean {
    if (this.slab === undefined) return false;
    const rest = this.slab.length - this.used;
    if (rest >= MIN_READ_BYTES) return true;
    // Less than a read's usual room: enough when all that is left of the expected message fits,
    // so that it lies in this slab (a longer message fills the room and goes on in the next slab).
    return this.expectedLeft > 0 && rest >= this.expectedLeft;
  }

  /** The chunk read, as a view; the slab's rest after it is what the next read gets. */
  private own(bytes: number, buffer: Uint8Array): Buffer {
    const slab = this.slab;
    if (slab !== undefined && buffer.buffer === slab.buffer) {
      this.used = buffer.byteOffset - slab.byteOffset + bytes;
      this.expectedLeft = Math.max(0, this.expectedLeft - bytes);
    } else {
      this.slab = undefined; // not ours (cannot happen with net): never read into it again
    }
    return Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
  }
}
