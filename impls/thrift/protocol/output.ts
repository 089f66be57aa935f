// Where protocol writers put bytes: a list of blocks. Small writes go into the current block; a
// large binary value or string is kept as its own segment by reference (no copy), so writing a
// message costs one pass over its small parts and nothing per byte of its large ones. The socket
// takes the segments as they are (writev); only a caller that needs one Buffer pays for a concat.
// The first block keeps room in front for a frame's length, so a framed transport sends the
// message where it was written (finishFramed) instead of copying it behind a header.

const FIRST_BLOCK = 256;
const LARGEST_BLOCK = 64 * 1024;
/** Text up to this many UTF-16 units is written by shortUtf8. */
const SHORT_TEXT = 32;
/** Binary values at least this long are referenced, not copied. */
const BY_REFERENCE = 4096;
/** The room kept at the start of the first block: a frame's 4-byte length. */
const FRAME_ROOM = 4;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

export class OutputBuffer {
  private readonly segments: Buffer[] = [];
  private readonly first: Buffer = Buffer.allocUnsafe(FIRST_BLOCK);
  private block: Buffer = this.first;
  private blockStart = FRAME_ROOM;
  private pos = FRAME_ROOM;
  private sealedBytes = 0;
  /** segments[0] starts right after the room (the message did not begin with a referenced value). */
  private afterRoom = false;

  /** A finished message of these bytes, held by reference (a message encoded elsewhere). */
  static holding(bytes: Buffer): OutputBuffer {
    const output = new OutputBuffer();
    output.reference(bytes);
    return output;
  }

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
      if (this.segments.length === 0 && this.block === this.first && this.blockStart === FRAME_ROOM) this.afterRoom = true;
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
    // Byte stores: Buffer's writeInt16BE/writeInt32BE range-check each value and offset again.
    const block = this.block;
    let at = this.pos;
    block[at++] = value >>> 8;
    block[at++] = value;
    this.pos = at;
  }

  int32(value: number): void {
    this.room(4);
    this.put32(value, this.pos);
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
      this.reference(value);
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
    const written = text.length <= SHORT_TEXT ? this.shortUtf8(text, at + 4) : this.block.write(text, at + 4, 'utf8');
    this.put32(written, at);
    this.pos = at + 4 + written;
  }

  /** A varint length, then the UTF-8 of text (compact protocol strings). */
  varintPrefixedUtf8(text: string): void {
    if (text.length <= SHORT_TEXT && isAscii(text)) {
      // ASCII: the length is the text's, known before encoding (a method name, a short value).
      this.varint32(text.length);
      this.room(text.length);
      this.pos += this.shortUtf8(text, this.pos);
      return;
    }
    // The varint's size depends on the length: short text is measured first, long text encoded
    // once into a buffer of its own.
    if (text.length < 64) {
      this.varint32(Buffer.byteLength(text, 'utf8'));
      this.utf8(text);
      return;
    }
    const encoded = Buffer.from(text, 'utf8');
    this.varint32(encoded.length);
    this.bytes(encoded);
  }

  private put32(value: number, at: number): void {
    const block = this.block;
    block[at] = value >>> 24;
    block[at + 1] = value >>> 16;
    block[at + 2] = value >>> 8;
    block[at + 3] = value;
  }

  /** Short text at `at` (room made): ASCII stored code by code, cheaper than a call into Buffer's encoder. */
  private shortUtf8(text: string, at: number): number {
    const block = this.block;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) return block.write(text, at, 'utf8');
      block[at + i] = code;
    }
    return text.length;
  }

  private reference(value: Buffer): void {
    this.seal();
    this.segments.push(value);
    this.sealedBytes += value.length;
  }

  /** The segments written so far (the buffer must not be written to afterwards). */
  finish(): Buffer[] {
    this.seal();
    return this.segments;
  }

  /**
   * The segments after a 4-byte big-endian length of them (TFramedTransport), the length written
   * into the room before the first: no copy of the message, one buffer for a small one.
   */
  finishFramed(): Buffer[] {
    const first = this.first;
    const length = this.length;
    first[0] = length >>> 24;
    first[1] = length >>> 16;
    first[2] = length >>> 8;
    first[3] = length;
    // The whole message in the first block (most messages): one buffer, nothing sealed.
    if (this.segments.length === 0 && this.block === first) return [first.subarray(0, this.pos)];
    const segments = this.finish();
    if (!this.afterRoom) return [first.subarray(0, FRAME_ROOM), ...segments];
    const head = first.subarray(0, FRAME_ROOM + (segments[0] as Buffer).length);
    if (segments.length === 1) return [head];
    const framed = segments.slice();
    framed[0] = head;
    return framed;
  }

  /** Everything as one Buffer (a copy only when there is more than one segment). */
  toBuffer(): Buffer {
    const segments = this.finish();
    if (segments.length === 1 && segments[0]) return segments[0];
    return Buffer.concat(segments, this.sealedBytes);
  }
}
