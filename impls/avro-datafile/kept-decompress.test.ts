// The kept decompression contexts (kept-decompress.ts) against node:zlib's public synchronous calls,
// which make a fresh context per call: block after block through one context and one reused buffer
// must give the same bytes, and any block the kept path does not finish cleanly must be left to the
// public call (undefined), which then decides it exactly as before.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CODECS, ZSTD_AVAILABLE, type Codec } from './codecs.ts';
import { DataFileReader, DataFileWriter } from './index.ts';
import { keptDecompress, keptDecompressionWorks, type KeptCodec } from './kept-decompress.ts';
import { MAX_KEPT_ROOM, reusedRoom } from './room.ts';
import { sample } from './testing/samples.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';

type Calls = Record<string, (data: Uint8Array, options?: { maxOutputLength?: number }) => Buffer>;
const node = zlib as unknown as Calls;

const KEPT: readonly { codec: KeptCodec; compress: string; decompress: string; available: boolean }[] = [
  { codec: 'deflate', compress: 'deflateRawSync', decompress: 'inflateRawSync', available: true },
  { codec: 'zstandard', compress: 'zstdCompressSync', decompress: 'zstdDecompressSync', available: ZSTD_AVAILABLE },
];

/** The public call's answer for a block: its bytes, or the message it throws. */
function publicAnswer(call: string, block: Uint8Array, maxBytes: number): Buffer | string {
  try {
    return (node[call] as Calls[string])(block, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    return (error as Error).message;
  }
}

for (const { codec, compress, decompress, available } of KEPT) {
  const pack = (data: Uint8Array): Buffer => (node[compress] as Calls[string])(data);

  describe.runIf(available)(`${codec} decompression through one kept context`, () => {
    it('is used on this Node (its internals are as kept-decompress.ts expects)', () => {
      expect(keptDecompressionWorks(codec)).toBe(true);
    });

    it('gives the input back, block after block, small after large, with no hint, a wrong hint and the exact size', () => {
      const room = reusedRoom();
      const sizes = [0, 1, 100, 64_000, 64 * 1024, 300_000, 1_500_000, MAX_KEPT_ROOM + 10, 70_000];
      let checked = 0;
      for (const size of [...sizes, ...[...sizes].reverse()]) {
        for (const kind of [0, 2, 3]) {
          const input = sample(kind, size, size + kind);
          const block = pack(input);
          for (const hint of [undefined, 16, size]) {
            const out = keptDecompress(codec, block, 8 * 1024 * 1024, room, hint);
            expect(out?.equals(input), `size ${size}, kind ${kind}, hint ${hint}`).toBe(true);
            checked++;
          }
        }
      }
      expect(checked).toBe(sizes.length * 2 * 3 * 3);
    });

    it('writes into the caller\'s reused buffer while blocks fit it', () => {
      const room = reusedRoom();
      // The reader's hint: the previous block's size.
      const first = keptDecompress(codec, pack(sample(2, 60_000, 1)), 1 << 20, room, 60_000);
      const second = keptDecompress(codec, pack(sample(3, 50_000, 2)), 1 << 20, room, 60_000);
      expect(first?.buffer).toBe(second?.buffer);
      expect(second?.equals(sample(3, 50_000, 2))).toBe(true);
    });

    it('leaves a block beyond the limit to the public call, and reads the next block', () => {
      const room = reusedRoom();
      const big = pack(sample(2, 200_000, 5));
      expect(keptDecompress(codec, big, 100_000, room)).toBeUndefined();
      expect(keptDecompress(codec, big, 100_000, room, 150_000)).toBeUndefined();
      expect(publicAnswer(decompress, big, 100_000)).toEqual(expect.any(String));
      const next = sample(0, 30_000, 6);
      expect(keptDecompress(codec, pack(next), 100_000, room)?.equals(next)).toBe(true);
      expect(keptDecompressionWorks(codec)).toBe(true);
    });

    it('answers every cut, corrupted or padded block as the public call does, and keeps serving good blocks', () => {
      const room = reusedRoom();
      const input = sample(3, 80_000, 9);
      const block = pack(input);
      const hostile: Buffer[] = [];
      for (const cut of [1, 2, 10, 100, Math.floor(block.length / 2), block.length - 1]) hostile.push(block.subarray(0, cut));
      for (const at of [0, 3, 17, 200, Math.floor(block.length / 3), block.length - 5]) {
        const flipped = Buffer.from(block);
        flipped[at] = (flipped[at] as number) ^ 0x5a;
        hostile.push(flipped);
      }
      hostile.push(Buffer.concat([block, Buffer.from([1, 2, 3])]), Buffer.concat([block, block]), Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff]));
      let leftToPublic = 0;
      for (const [i, bad] of hostile.entries()) {
        const expected = publicAnswer(decompress, bad, 1 << 20);
        const ours = keptDecompress(codec, bad, 1 << 20, room);
        if (ours === undefined) leftToPublic++;
        // Either the kept path decoded it to the public call's bytes, or it left it to that call.
        else expect(typeof expected !== 'string' && ours.equals(expected), `hostile block ${i}: ${typeof expected === 'string' ? expected : 'bytes'}`).toBe(true);
        // A good block after each: a destroyed stream is replaced, never written again.
        expect(keptDecompress(codec, block, 1 << 20, room)?.equals(input), `good block after hostile block ${i}`).toBe(true);
      }
      expect(leftToPublic).toBeGreaterThan(0);
      expect(keptDecompressionWorks(codec)).toBe(true);
    });
  });
}

describe('a damaged file read through the kept contexts and the reused buffer', () => {
  const dir = scratchDirectory('kept-decompress-');
  const SCHEMA = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }, { name: 'b', type: 'bytes' }, { name: 's', type: 'string' }] };
  /** Every value, or the error's kind and message: what a caller of records() sees. */
  function outcome(data: Buffer, codecs?: Readonly<Record<string, Codec>>): unknown {
    const values: unknown[] = [];
    try {
      const reader = DataFileReader.fromBuffer(data, codecs ? { codecs } : {});
      for (const value of reader.records()) values.push(value);
      return { values };
    } catch (error) {
      return { values, error: `${(error as { kind?: string }).kind ?? '?'}: ${(error as Error).message}` };
    }
  }
  /** The codecs as they were: every block through the public call into a buffer of its own. */
  const publicOnly: Readonly<Record<string, Codec>> = Object.fromEntries(Object.entries(CODECS).map(([name, codec]) => [name, { name, compress: codec.compress, decompress: codec.decompress }]));

  for (const codec of ['deflate', 'snappy', ...(ZSTD_AVAILABLE ? ['zstandard'] : [])]) {
    it(`${codec}: 200 mutants (bytes flipped, the file cut, bytes repeated) read the same as through the public calls`, () => {
      const path = join(dir, `${codec}.avro`);
      const w = DataFileWriter.create(path, SCHEMA, { codec, blockSize: 600 });
      for (let i = 0; i < 80; i++) w.append({ n: BigInt(i * 977), b: sample(i % 4, 10 + (i % 50), i), s: `value ${i} ${'x'.repeat(i % 13)}` });
      w.close();
      const file = readFileSync(path);
      let seed = 0x5eed ^ codec.length;
      const next = (n: number): number => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed % n;
      };
      const headerEnd = file.indexOf(file.subarray(file.length - 16)) + 16;
      let differing = 0;
      let failing = 0;
      for (let m = 0; m < 200; m++) {
        const mutant = Buffer.from(file);
        const at = headerEnd + next(file.length - headerEnd);
        let data: Buffer = mutant;
        // Mostly a byte flipped (what reaches the decompressor), else the file cut, or bytes repeated.
        const kind = m % 6;
        if (kind < 4) mutant[at] = (mutant[at] as number) ^ (1 + next(255));
        else if (kind === 4) data = mutant.subarray(0, at);
        else data = Buffer.concat([mutant.subarray(0, at), mutant.subarray(at - Math.min(at - headerEnd, 1 + next(40)))]);
        const ours = outcome(data);
        const before = outcome(data, publicOnly);
        if (JSON.stringify(ours, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) !== JSON.stringify(before, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))) differing++;
        if (/^codec: /.test((before as { error?: string }).error ?? '')) failing++;
      }
      expect(differing).toBe(0);
      // Many mutants reached the decompressor's own errors, not only the framing's.
      expect(failing, 'mutants the codec refused').toBeGreaterThan(15);
      // Bad blocks do not turn the kept context off for the blocks after them.
      if (codec !== 'snappy') expect(keptDecompressionWorks(codec as KeptCodec)).toBe(true);
    });
  }
});
