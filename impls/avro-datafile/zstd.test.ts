// The kept zstd context (zstd.ts) against node:zlib's zstdCompressSync, which makes a fresh
// context per call: frame after frame from the same context must be the same bytes, whatever the
// size or content of the block and the order of the blocks, and decompress to the input.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZSTD_AVAILABLE } from './codecs.ts';
import { sample } from './testing/samples.ts';
import { zstdCompress, zstdCompressShared, zstdReusesContext } from './zstd.ts';

type Zstd = { zstdCompressSync(data: Uint8Array): Buffer; zstdDecompressSync(data: Uint8Array): Buffer };
const node = zlib as unknown as Zstd;

describe.runIf(ZSTD_AVAILABLE)('zstd compression through one kept context', () => {
  it('is used on this Node (its internals are as zstd.ts expects)', () => {
    expect(zstdReusesContext()).toBe(true);
  });

  it('gives zstdCompressSync\'s bytes, frame after frame, for sizes around zstd\'s parameter steps', () => {
    const sizes = [0, 1, 3, 100, 1000, 16 * 1024 - 1, 16 * 1024 + 1, 64_000, 64 * 1024, 128 * 1024 + 5, 256 * 1024 + 1, 300_000, 1_500_000];
    let checked = 0;
    // Small after large and large after small: a context sized for one frame must not leak into the next.
    for (const size of [...sizes, ...[...sizes].reverse()]) {
      for (let kind = 0; kind < 4; kind++) {
        const input = sample(kind, size, size + kind);
        const ours = zstdCompress(input);
        expect(ours.equals(node.zstdCompressSync(input)), `size ${size}, kind ${kind}`).toBe(true);
        expect(node.zstdDecompressSync(ours).equals(input)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(sizes.length * 2 * 4);
  });

  it('writes the same frames into its reused buffer (large then small, and past the size it keeps)', () => {
    for (const size of [300_000, 10, 64_000, 0, 4_500_000, 70_000]) {
      for (const kind of [0, 3]) {
        const input = sample(kind, size, size + kind + 1);
        expect(zstdCompressShared(input).equals(node.zstdCompressSync(input)), `size ${size}, kind ${kind}`).toBe(true);
      }
    }
  });

  it('takes any view of a larger buffer', () => {
    const backing = sample(2, 70_000, 7);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 1234, 50_000);
    expect(zstdCompress(view).equals(node.zstdCompressSync(view))).toBe(true);
  });

  it('fits incompressible input (a frame larger than the block) in one step', () => {
    const input = sample(0, 2_000_000, 99);
    const ours = zstdCompress(input);
    expect(ours.length).toBeGreaterThan(input.length);
    expect(ours.equals(node.zstdCompressSync(input))).toBe(true);
  });

  it('grows its output step by step when the first buffer is too small, and stays usable', () => {
    for (const kind of [0, 2]) {
      const input = sample(kind, 200_000, 3 + kind);
      expect(zstdCompress(input, 16).equals(node.zstdCompressSync(input))).toBe(true);
    }
    expect(zstdReusesContext()).toBe(true);
    const next = sample(3, 64_000, 11);
    expect(zstdCompress(next).equals(node.zstdCompressSync(next))).toBe(true);
  });
});
