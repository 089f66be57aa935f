// Where protocol writers put bytes: a list of blocks. Small writes go into the current block; a
// large binary value or string is kept as its own segment by reference (no copy), so writing a
// message costs one pass over its small parts and nothing per byte of its large ones. The socket
// takes the segments as they are (writev); only a caller that needs one Buffer pays for a concat.

const FIRST_BLOCK = 256;
const LARGEST_BLOCK = 64 * 1024;
/** Binary values at least this long are referenced, not copied. */
const BY_REFERENCE = 4096;

export class OutputBuffer {
  private readonly segments: Buffer[] = [];
  private block: Buffer = Buffer.allocUnsafe(FIRST_BLOCK);
  private blockStart = 0;
  private pos = 0;
  private sealedBytes = 0;

  get length(): number {
    return this.sealedBytes + this.pos - this.blockStart;
  }

  /** Makes room for n more bytes in the current block and returns it with the write offset. */
  private room(n: number): void {
    if (this.block.length - this.pos >= n) return;
    this.seal();
    const size = Math.max(n, Math.min(LARGEST_BLOCK, this.block.length * 2));
    this.block = Buffer.allocUnsafe(size);
    this.blockStart = 0;
    this.pos = 0;
  }

  private seal(): void {
    if (this.pos > this.blockStart) {
      this.segments.push(this.block.subarray(this.blockStart, this.pos));
      this.sealedBytes += this.pos - this.blockStart;
    }
    this.blockStart = this.pos;
  }

  byte(value: number): void {
    this.room(1);
    this.block[this.pos++] = value & 0xff;
  }

  int16(value: number): void {
    this.room(2);
    this.block.writeInt16BE(value, this.pos);
    this.pos += 2;
  }

  int32(value: number): void {
    this.room(4);
    this.block.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  int64(value: bigint): void {
    this.room(8);
    this.block.writeBigInt64BE(value, this.pos);
    this.pos += 8;
  }

  doubleBE(value: number): void {
    this.room(8);
    this.block.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  doubleLE(value: number): void {
    this.room(8);
    this.block.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** An unsigned LEB128 varint of a 32-bit value. */
  varint32(value: number): void {
    this.room(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.block[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.block[this.pos++] = v;
  }

  /** An unsigned LEB128 varint of a 64-bit value given as two 32-bit halves. */
  varint64(hi: number, lo: number): void {
    this.room(10);
    let high = hi >>> 0;
    let low = lo >>> 0;
    while (high !== 0 || low >= 0x80) {
      this.block[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.block[this.pos++] = low;
  }

  bytes(value: Buffer): void {
    if (value.length >= BY_REFERENCE) {
      this.seal();
      this.segments.push(value);
      this.sealedBytes += value.length;
      return;
    }
    this.room(value.length);
    value.copy(this.block, this.pos);
    this.pos += value.length;
  }

  /** Text of code points below 0x80 only (JSON syntax, numbers, base64). */
  ascii(text: string): void {
    if (text.length >= BY_REFERENCE) {
      this.bytes(Buffer.from(text, 'latin1'));
      return;
    }
    this.room(text.length);
    this.pos += this.block.write(text, this.pos, 'latin1');
  }

  /** UTF-8 of text; returns its byte length. */
  utf8(text: string): number {
    if (text.length >= BY_REFERENCE) {
      const encoded = Buffer.from(text, 'utf8');
      this.bytes(encoded);
      return encoded.length;
    }
    this.room(text.length * 3);
    const written = this.block.write(text, this.pos, 'utf8');
    this.pos += written;
    return written;
  }

  /**
   * A 4-byte big-endian length, then the UTF-8 of text (binary protocol strings): for short text the
   * length is filled in after encoding, so the text is encoded once.
   */
  lengthPrefixedUtf8(text: string): void {
    if (text.length >= BY_REFERENCE) {
      const encoded = Buffer.from(text, 'utf8');
      this.int32(encoded.length);
      this.bytes(encoded);
      return;
    }
    this.room(4 + text.length * 3);
    const at = this.pos;
    const written = this.block.write(text, at + 4, 'utf8');
    this.block.writeInt32BE(written, at);
    this.pos = at + 4 + written;
  }

  /** The segments written so far (the buffer must not be written to afterwards). */
  finish(): Buffer[] {
    this.seal();
    return this.segments;
  }

  /** Everything as one Buffer (a copy only when there is more than one segment). */
  toBuffer(): Buffer {
    const segments = this.finish();
    if (segments.length === 1 && segments[0]) return segments[0];
    return Buffer.concat(segments, this.sealedBytes);
  }
}
