// The raw snappy decompressor's fast paths (word moves that may write past a tag, native moves for
// long ones, overlapping copies in doubling chunks) against a plain byte-by-byte decoder written
// here from the format description, on hand-made and random streams; and its refusals.
import { describe, expect, it } from 'vitest';
import { snappyCompress, snappyCompressInto, snappyCompressShared, snappyDecompress } from './snappy.ts';

/** Builds raw snappy streams tag by tag. */
class Stream {
  private readonly bytes: number[] = [];
  private readonly expected: number[] = [];

  literal(data: readonly number[]): this {
    const n = data.length - 1;
    if (n < 60) this.bytes.push(n << 2);
    else if (n < 0x100) this.bytes.push(60 << 2, n);
    else if (n < 0x10000) this.bytes.push(61 << 2, n & 0xff, n >>> 8);
    else this.bytes.push(62 << 2, n & 0xff, (n >>> 8) & 0xff, n >>> 16);
    this.bytes.push(...data);
    this.expected.push(...data);
    return this;
  }

  /** A copy with a 2-byte offset (tag kind 2): lengths 1-64. */
  copy(offset: number, length: number): this {
    this.bytes.push(((length - 1) << 2) | 2, offset & 0xff, offset >>> 8);
    for (let k = 0; k < length; k++) this.expected.push(this.expected[this.expected.length - offset] as number);
    return this;
  }

  /** A copy with a 1-byte offset (tag kind 1): lengths 4-11, offsets below 2048. */
  shortCopy(offset: number, length: number): this {
    this.bytes.push(((offset >>> 8) << 5) | ((length - 4) << 2) | 1, offset & 0xff);
    for (let k = 0; k < length; k++) this.expected.push(this.expected[this.expected.length - offset] as number);
    return this;
  }

  /** The stream with its length varint (declared, default the true length). */
  encode(declared = this.expected.length): Buffer {
    const head: number[] = [];
    let n = declared;
    while (n >= 0x80) { head.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
    head.push(n);
    return Buffer.from([...head, ...this.bytes]);
  }

  get output(): Buffer {
    return Buffer.from(this.expected);
  }
}

function counting(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => (from + i) & 0xff);
}

/** Decodes a stream byte by byte: the reference the fast decoder must agree with. */
function plainDecode(input: Uint8Array): Buffer {
  let pos = 0;
  let length = 0;
  for (let shift = 1; ; shift *= 128) {
    const b = input[pos++] as number;
    length += (b & 0x7f) * shift;
    if (b < 0x80) break;
  }
  const out: number[] = [];
  while (pos < input.length) {
    const tag = input[pos++] as number;
    if ((tag & 3) === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        n = 0;
        for (let k = 0; k < extra; k++) n += (input[pos++] as number) * 2 ** (8 * k);
      }
      for (let k = 0; k <= n; k++) out.push(input[pos++] as number);
      continue;
    }
    let len: number;
    let offset: number;
    if ((tag & 3) === 1) {
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[pos++] as number);
    } else if ((tag & 3) === 2) {
      len = (tag >>> 2) + 1;
      offset = (input[pos++] as number) | ((input[pos++] as number) << 8);
    } else {
      len = (tag >>> 2) + 1;
      offset = 0;
      for (let k = 0; k < 4; k++) offset += (input[pos++] as number) * 2 ** (8 * k);
    }
    for (let k = 0; k < len; k++) out.push(out[out.length - offset] as number);
  }
  if (out.length !== length) throw new Error('plain decoder: length mismatch');
  return Buffer.from(out);
}

describe('snappy decompression fast paths', () => {
  it('repeats overlapping copies of every short period, short and long, word-wise and byte-wise', () => {
    for (let offset = 1; offset <= 9; offset++) {
      for (const length of [1, 3, 4, 5, 7, 8, 15, 16, 17, 33, 63, 64]) {
        // With room after the copy (word moves) and at the very end of the output (byte moves).
        const roomy = new Stream().literal(counting(offset)).copy(offset, length).literal(counting(20, 100));
        expect(snappyDecompress(roomy.encode(), 1 << 20).equals(roomy.output)).toBe(true);
        const atEnd = new Stream().literal(counting(offset)).copy(offset, length);
        expect(snappyDecompress(atEnd.encode(), 1 << 20).equals(atEnd.output)).toBe(true);
      }
    }
  });

  it('repeats a long overlapping run (native copies doubling) and copies long distant runs', () => {
    const stream = new Stream().literal(counting(3));
    for (let i = 0; i < 40; i++) stream.copy(3, 64); // 64 at a time, period 3
    stream.literal(counting(70, 7)).copy(70, 64).copy(2000, 64).shortCopy(5, 11).shortCopy(2047, 4);
    expect(snappyDecompress(stream.encode(), 1 << 20).equals(stream.output)).toBe(true);
    // A run longer than 64 bytes, overlapping, as snappy's own compressor emits it (4-byte offsets).
    const data = Buffer.concat([Buffer.from('ab'), Buffer.alloc(5000, 'ab')]);
    expect(snappyDecompress(snappyCompress(data), data.length).equals(data)).toBe(true);
  });

  it('moves literals of every length around the word threshold and long ones, at the end of the input too', () => {
    for (const n of [1, 2, 3, 4, 5, 15, 16, 17, 59, 60, 61, 255, 256, 300, 70_000]) {
      const middle = new Stream().literal(counting(n)).literal(counting(20, 9));
      expect(snappyDecompress(middle.encode(), 1 << 20).equals(middle.output)).toBe(true);
      const last = new Stream().literal(counting(n));
      expect(snappyDecompress(last.encode(), 1 << 20).equals(last.output)).toBe(true);
    }
  });

  it('agrees with a byte-by-byte decoder on random streams', () => {
    let seed = 99;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let round = 0; round < 200; round++) {
      const stream = new Stream().literal(counting(1 + next(30), next(256)));
      let produced = 0;
      const tags = 1 + next(60);
      for (let t = 0; t < tags; t++) {
        produced = stream.output.length;
        const choice = next(3);
        if (choice === 0) stream.literal(counting(1 + next(next(2) ? 20 : 200), next(256)));
        else if (choice === 1) stream.copy(1 + next(Math.min(produced, 65535)), 1 + next(64));
        else stream.shortCopy(1 + next(Math.min(produced, 2047)), 4 + next(8));
      }
      const encoded = stream.encode();
      const fast = snappyDecompress(encoded, 1 << 20);
      expect(fast.equals(plainDecode(encoded))).toBe(true);
      expect(fast.equals(stream.output)).toBe(true);
    }
  });
});

describe('snappy compressor', () => {
  /** Data of a given shape: random, runs, a short period, text, and mixes (like records). */
  function shaped(kind: number, length: number, seed: number): Buffer {
    let state = seed >>> 0;
    const next = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state >>> 24;
    };
    const out = Buffer.alloc(length);
    const words = ['alpha', 'beta', 'user-', '@example.org', 'note ', 'xxxxxxxx'];
    for (let i = 0; i < length; ) {
      if (kind === 0) { out[i++] = next(); continue; }
      if (kind === 1) { out.fill(next() & 3, i, Math.min(length, i + 1 + (next() % 200))); i += 1 + (next() % 200); continue; }
      if (kind === 2) { out[i] = i % 7; i++; continue; }
      // Text words between runs of random bytes (incompressible stretches, then matches).
      const word = words[next() % words.length] as string;
      i += out.write(word, i);
      for (let k = next() % (kind === 3 ? 4 : 90); k > 0 && i < length; k--) out[i++] = next();
    }
    return out;
  }

  it('gives blocks the byte-by-byte decoder decodes back to the input, for every size around fragment and margin edges', () => {
    const sizes = [0, 1, 3, 4, 14, 15, 16, 17, 31, 100, 4096, 65_535, 65_536, 65_537, 131_072 + 20, 200_003];
    for (const size of sizes) {
      for (let kind = 0; kind < 5; kind++) {
        const data = shaped(kind, size, size * 31 + kind);
        const block = snappyCompress(data);
        expect(plainDecode(block).equals(data), `kind ${kind}, ${size} bytes`).toBe(true);
        expect(snappyDecompress(block, size).equals(data)).toBe(true);
        if (kind === 1 || kind === 2) expect(block.length).toBeLessThan(size / 4 + 16);
      }
    }
  });

  it('leaves the room asked for after the block (the Avro codec\'s CRC goes there)', () => {
    const data = shaped(3, 5000, 5);
    const { out, end } = snappyCompressInto(data, 4);
    expect(out.length - end).toBeGreaterThanOrEqual(4);
    expect(out.subarray(0, end).equals(snappyCompress(data))).toBe(true);
  });

  it('writes the same blocks into its reused buffer (large then small, and past the size it keeps)', () => {
    const sizes = [200_003, 17, 65_536, 0, 5000, 4_600_000, 64_000];
    for (const size of sizes) {
      for (const kind of [0, 3, 4]) {
        const data = shaped(kind, size, size + kind);
        const { out, end } = snappyCompressShared(data, 4);
        expect(out.length - end).toBeGreaterThanOrEqual(4);
        const block = out.subarray(0, end);
        expect(block.equals(snappyCompress(data)), `kind ${kind}, ${size} bytes`).toBe(true);
        if (size <= 200_003) expect(plainDecode(block).equals(data)).toBe(true);
      }
    }
  });
});

describe('snappy refusals', () => {
  const good = new Stream().literal(counting(20)).copy(4, 30).literal(counting(5));

  it('refuses output beyond the declared length, from a literal and from a copy, even where words would fit', () => {
    expect(() => snappyDecompress(new Stream().literal(counting(20)).encode(19), 1 << 20)).toThrow(/exceeds the declared/);
    expect(() => snappyDecompress(new Stream().literal(counting(20)).copy(4, 30).encode(40), 1 << 20)).toThrow(/exceeds the declared/);
  });

  it('refuses a block that yields fewer bytes than it declares', () => {
    expect(() => snappyDecompress(good.encode(good.output.length + 100), 1 << 20)).toThrow(/yields/);
  });

  it('refuses a copy reaching before the start of the output, and offset 0', () => {
    expect(() => snappyDecompress(new Stream().literal(counting(4)).copy(5, 8).encode(), 1 << 20)).toThrow(/points outside/);
    expect(() => snappyDecompress(new Stream().literal(counting(4)).copy(0, 8).encode(), 1 << 20)).toThrow(/points outside/);
  });

  it('refuses a literal running past the input, and a tag cut short', () => {
    const encoded = good.encode();
    expect(() => snappyDecompress(encoded.subarray(0, encoded.length - 2), 1 << 20)).toThrow(/runs past the block/);
    const cut = new Stream().literal(counting(20)).copy(4, 30).encode();
    expect(() => snappyDecompress(cut.subarray(0, cut.length - 1), 1 << 20)).toThrow(/copy runs past the block/);
  });

  it('refuses a corrupted block with a clear error (every single-byte change either decodes or is refused)', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(40));
    const encoded = snappyCompress(data);
    for (let i = 0; i < encoded.length; i++) {
      const corrupt = Buffer.from(encoded);
      corrupt[i] = (corrupt[i] as number) ^ 0x5a;
      try {
        const out = snappyDecompress(corrupt, data.length * 2);
        expect(out.equals(plainDecode(corrupt))).toBe(true);
      } catch (error) {
        expect((error as Error).name).toBe('SnappyError');
        expect((error as Error).message).toMatch(/^snappy: /);
      }
    }
  });
});
