// Raw Snappy (the block format of google/snappy's format_description.txt, without framing), as
// Avro's "snappy" codec uses it. Written here rather than taken from npm so that decompression of
// a hostile block is bounded: the declared length is checked against a limit before anything is
// allocated, and every literal and copy is checked against both buffers.
import type { Room } from './room.ts';

const FRAGMENT = 65536;           // snappy compresses independent 64 KiB fragments (2-byte offsets)
const HASH_BITS = 14;

export class SnappyError extends Error {
  override readonly name = 'SnappyError';
}

function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); length++; }
  return length;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

function emitLiteral(out: Uint8Array, pos: number, input: Uint8Array, from: number, to: number): number {
  const n = to - from - 1;
  if (n < 0) return pos;
  if (n < 60) {
    out[pos++] = n << 2;
  } else if (n < 0x100) {
    out[pos++] = 60 << 2; out[pos++] = n;
  } else if (n < 0x10000) {
    out[pos++] = 61 << 2; out[pos++] = n & 0xff; out[pos++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[pos++] = 62 << 2; out[pos++] = n & 0xff; out[pos++] = (n >>> 8) & 0xff; out[pos++] = n >>> 16;
  } else {
    out[pos++] = 63 << 2; out[pos++] = n & 0xff; out[pos++] = (n >>> 8) & 0xff; out[pos++] = (n >>> 16) & 0xff; out[pos++] = n >>> 24;
  }
  // Short literals by a loop: set() and subarray() cost more than the bytes below this.
  if (n < 16) {
    for (let k = 0; k <= n; k++) out[pos + k] = input[from + k] as number;
  } else {
    out.set(input.subarray(from, to), pos);
  }
  return pos + n + 1;
}

function emitCopy(out: Uint8Array, pos: number, offset: number, length: number): number {
  // Long matches go out as 64-byte copies, leaving at least 4 bytes for the last one.
  while (length >= 68) {
    out[pos++] = (63 << 2) | 2; out[pos++] = offset & 0xff; out[pos++] = offset >>> 8;
    length -= 64;
  }
  if (length > 64) {
    out[pos++] = (59 << 2) | 2; out[pos++] = offset & 0xff; out[pos++] = offset >>> 8;
    length -= 60;
  }
  if (length < 12 && offset < 2048) {
    out[pos++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
    out[pos++] = offset & 0xff;
  } else {
    out[pos++] = ((length - 1) << 2) | 2; out[pos++] = offset & 0xff; out[pos++] = offset >>> 8;
  }
  return pos;
}

export function maxCompressedLength(length: number): number {
  return 32 + length + Math.ceil(length / 6);
}

// The hash table of positions (relative to the fragment's start, so 16 bits), one for all calls
// (zeroed per fragment): a new one per block cost an allocation. A zero entry is harmless: a
// candidate is used only when its four bytes equal the current ones, and it always lies before.
const table = new Uint16Array(1 << HASH_BITS);

function hash4(word: number): number {
  return Math.imul(word, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

/**
 * Compresses input into one raw snappy block, written into a new buffer with `room` spare bytes
 * after it (a caller's trailer, as the Avro codec's CRC); returns the buffer and the block's end.
 */
export function snappyCompressInto(input: Uint8Array, room = 0): { out: Buffer; end: number } {
  return compressTo(Buffer.allocUnsafe(maxCompressedLength(input.length) + room), input);
}

// The output buffer of snappyCompressShared, kept between calls: a new one per 64 KB block
// (~75 KB, outside Node's small-buffer pool) cost 15-25% of the compression's CPU in allocation
// and collection. Blocks above SHARED_MAX get a buffer of their own, so that one huge block does
// not keep its memory for the rest of the process.
const SHARED_MAX = 4 * 1024 * 1024;
let shared = Buffer.allocUnsafe(0);

/**
 * As snappyCompressInto, but the block is written into a buffer this module reuses: the result is
 * valid only until the next call (the data-file writer writes it out at once).
 */
export function snappyCompressShared(input: Uint8Array, room = 0): { out: Buffer; end: number } {
  const need = maxCompressedLength(input.length) + room;
  if (need > SHARED_MAX) return compressTo(Buffer.allocUnsafe(need), input);
  if (shared.length < need) shared = Buffer.allocUnsafe(Math.max(need, 80 * 1024));
  return compressTo(shared, input);
}

/** Compresses input into result (at least maxCompressedLength(input.length) bytes) from its start. */
function compressTo(result: Buffer, input: Uint8Array): { out: Buffer; end: number } {
  // Plain Uint8Array views: a Buffer's subarray() goes through a JS constructor.
  const out = new Uint8Array(result.buffer, result.byteOffset, result.length);
  const src = new Uint8Array(input.buffer, input.byteOffset, input.length);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let pos = writeVarint(result, 0, input.length);
  for (let start = 0; start < src.length; start += FRAGMENT) {
    const end = Math.min(start + FRAGMENT, src.length);
    pos = compressFragment(src, view, start, end, out, pos);
  }
  return { out: result, end: pos };
}

/** Compresses input into one raw snappy block. */
export function snappyCompress(input: Uint8Array): Buffer {
  const { out, end } = snappyCompressInto(input);
  return out.subarray(0, end);
}

// Matches are looked for while at least this many bytes are left (the last ones go out as a literal).
const INPUT_MARGIN = 15;

/**
 * One fragment: each position's 4 bytes are hashed to find an earlier position with the same 4
 * bytes; a match is extended 4 bytes at a time. Where nothing matches, the step between lookups
 * grows (by one byte every 32 misses), so incompressible data (the random payloads of the bench's
 * records) is passed over quickly as literals, as the reference compressor does.
 */
function compressFragment(src: Uint8Array, view: DataView, start: number, end: number, out: Uint8Array, pos: number): number {
  let literalStart = start;
  if (end - start < INPUT_MARGIN) return emitLiteral(out, pos, src, literalStart, end);
  table.fill(0);
  const limit = end - INPUT_MARGIN;
  let i = start + 1;
  let nextWord = view.getUint32(i, true);
  for (;;) {
    // Find a position whose 4 bytes were seen before (each position's word is read once).
    let misses = 32;
    let next = i;
    let candidate: number;
    for (;;) {
      i = next;
      const word = nextWord;
      next = i + (misses++ >>> 5);
      if (next > limit) return emitLiteral(out, pos, src, literalStart, end);
      nextWord = view.getUint32(next, true);
      const hash = hash4(word);
      candidate = start + (table[hash] as number);
      table[hash] = i - start;
      if (view.getUint32(candidate, true) === word) break;
    }
    pos = emitLiteral(out, pos, src, literalStart, i);
    // Emit copies as long as the bytes right after a match match again.
    for (;;) {
      // Extended 4 bytes at a time; in the first word that differs, the lowest differing byte
      // (the words are little-endian) ends the match: no byte loop after the words.
      let length = 4;
      for (;;) {
        if (i + length + 4 > end) {
          while (i + length < end && src[candidate + length] === src[i + length]) length++;
          break;
        }
        const diff = view.getUint32(candidate + length, true) ^ view.getUint32(i + length, true);
        if (diff !== 0) {
          length += (31 - Math.clz32(diff & -diff)) >>> 3;
          break;
        }
        length += 4;
      }
      pos = emitCopy(out, pos, i - candidate, length);
      i += length;
      literalStart = i;
      if (i >= limit) return emitLiteral(out, pos, src, literalStart, end);
      // The position before (inside the match) goes into the table too, then this one is tried.
      table[hash4(view.getUint32(i - 1, true))] = i - 1 - start;
      const word = view.getUint32(i, true);
      const hash = hash4(word);
      candidate = start + (table[hash] as number);
      table[hash] = i - start;
      if (view.getUint32(candidate, true) !== word) break;
    }
    i++;
    nextWord = view.getUint32(i, true);
  }
}

/** The uncompressed length a block declares (its leading varint), without decompressing. */
export function snappyDeclaredLength(input: Uint8Array): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= input.length) throw new SnappyError('snappy: block ends inside its length');
    const byte = input[i] as number;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return value;
    multiplier *= 128;
  }
  throw new SnappyError('snappy: length varint longer than 5 bytes');
}

// Most tags of a data-file block move a few bytes (a 64 KB block of the bench's records: 1,860
// literals and 2,840 copies of 16 bytes or fewer, 780 copies of 17-64). Those are moved 4 bytes at
// a time through DataViews, which may write up to 15 bytes past the tag's end: only where the
// output has room, and bytes that the following tags overwrite (the output is written in order
// and must come out exactly `length` bytes long). A native set/copyWithin is kept for long moves,
// where its fixed cost is small beside the bytes.
const SHORT_LITERAL = 16;
const SHORT_COPY = 64;

/**
 * Decompresses one raw snappy block; refuses a declared length beyond maxLength before allocating.
 * With `room`, the output is written into the caller's buffer (a view of it is returned);
 * otherwise into a buffer of its own.
 */
export function snappyDecompress(input: Uint8Array, maxLength: number, room?: Room): Buffer {
  const length = snappyDeclaredLength(input);
  if (length > maxLength) throw new SnappyError(`snappy: block declares ${length} uncompressed bytes, limit ${maxLength}`);
  let pos = varintLength(length);
  const result = room ? room(length).subarray(0, length) : Buffer.allocUnsafe(length);
  // Plain Uint8Array views: their subarray() is a builtin, a Buffer's goes through a JS constructor.
  const src = new Uint8Array(input.buffer, input.byteOffset, input.length);
  const out = new Uint8Array(result.buffer, result.byteOffset, length);
  const srcWords = new DataView(input.buffer, input.byteOffset, input.length);
  const outWords = new DataView(result.buffer, result.byteOffset, length);
  const inEnd = src.length;
  let o = 0;
  while (pos < inEnd) {
    const tag = src[pos++] as number;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (pos + extra > inEnd) throw new SnappyError(`snappy: literal length runs past the block at byte ${pos}`);
        n = 0;
        for (let k = 0; k < extra; k++) n += (src[pos + k] as number) * 2 ** (8 * k);
        pos += extra;
      }
      n += 1;
      if (pos + n > inEnd) throw new SnappyError(`snappy: literal of ${n} bytes runs past the block at byte ${pos}`);
      if (o + n > length) throw new SnappyError(`snappy: output exceeds the declared ${length} bytes`);
      if (n <= SHORT_LITERAL && pos + SHORT_LITERAL <= inEnd && o + SHORT_LITERAL <= length) {
        for (let k = 0; k < n; k += 4) outWords.setUint32(o + k, srcWords.getUint32(pos + k, true), true);
      } else if (n <= SHORT_LITERAL) {
        for (let k = 0; k < n; k++) out[o + k] = src[pos + k] as number;
      } else {
        out.set(src.subarray(pos, pos + n), o);
      }
      pos += n;
      o += n;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > inEnd) throw new SnappyError('snappy: copy runs past the block');
      copyLength = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (src[pos] as number);
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > inEnd) throw new SnappyError('snappy: copy runs past the block');
      copyLength = (tag >>> 2) + 1;
      offset = (src[pos] as number) | ((src[pos + 1] as number) << 8);
      pos += 2;
    } else {
      if (pos + 4 > inEnd) throw new SnappyError('snappy: copy runs past the block');
      copyLength = (tag >>> 2) + 1;
      offset = ((src[pos] as number) | ((src[pos + 1] as number) << 8) | ((src[pos + 2] as number) << 16)) + (src[pos + 3] as number) * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o) throw new SnappyError(`snappy: copy offset ${offset} at output byte ${o} points outside the output`);
    if (o + copyLength > length) throw new SnappyError(`snappy: output exceeds the declared ${length} bytes`);
    const from = o - offset;
    if (copyLength <= SHORT_COPY && offset >= 4 && o + copyLength + 3 <= length) {
      // 4 bytes at a time: with offset >= 4 each word read was written before (by an earlier tag
      // or an earlier word of this one), so overlapping copies repeat their pattern correctly.
      for (let k = 0; k < copyLength; k += 4) outWords.setUint32(o + k, outWords.getUint32(from + k, true), true);
      o += copyLength;
    } else if (copyLength <= SHORT_COPY) {
      // Byte by byte, forwards: right for any overlap (offset 1 repeats one byte).
      for (let k = 0; k < copyLength; k++) out[o + k] = out[from + k] as number;
      o += copyLength;
    } else if (offset >= copyLength) {
      out.copyWithin(o, from, from + copyLength);
      o += copyLength;
    } else {
      // Overlapping: the bytes from `from` up to o repeat with period offset; each native copy
      // takes the whole repeated run written so far, so the run doubles every step.
      const stop = o + copyLength;
      while (o < stop) {
        const chunk = Math.min(o - from, stop - o);
        out.copyWithin(o, from, from + chunk);
        o += chunk;
      }
    }
  }
  if (o !== length) throw new SnappyError(`snappy: block declares ${length} bytes but yields ${o}`);
  return result;
}
