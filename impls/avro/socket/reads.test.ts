// Reads into buffers of our own: every chunk handed on stays intact after later reads.
import { expect, it } from 'vitest';
import { MAX_SLAB_BYTES, OwnReads } from './reads.ts';

/** One read as net does it: asks for the buffer, fills `bytes`, calls back. */
function read(reads: OwnReads, bytes: Buffer): Buffer {
  const buffer = reads.onread.buffer();
  expect(buffer.length).toBeGreaterThanOrEqual(64 * 1024);
  bytes.copy(buffer);
  reads.onread.callback(bytes.length, buffer);
  return buffer;
}

it('reads into the rest of one slab, so that earlier chunks stay intact without copies', () => {
  const reads = new OwnReads();
  const early = read(reads, Buffer.from('early'));
  const got: Buffer[] = [];
  reads.deliverTo((chunk) => got.push(chunk));
  const small = read(reads, Buffer.from('small'));
  expect(small.buffer).toBe(early.buffer); // the same slab...
  expect(small.byteOffset).toBe(early.byteOffset + 5); // ...after the bytes handed on
  read(reads, Buffer.alloc(5000, 7));
  read(reads, Buffer.from('next'));
  expect(got.map((chunk) => chunk.length)).toEqual([5, 5, 5000, 4]);
  expect(got[0]?.toString()).toBe('early');
  expect(got[1]?.toString()).toBe('small');
  expect(got[2]?.equals(Buffer.alloc(5000, 7))).toBe(true);
  expect(got[3]?.toString()).toBe('next');
  expect(got.every((chunk) => chunk.buffer === early.buffer)).toBe(true);
});

it('starts a new slab when the rest would give a read less than 64 KiB, leaving the old chunks alone', () => {
  const reads = new OwnReads();
  const got: Buffer[] = [];
  reads.deliverTo((chunk) => got.push(chunk));
  const first = read(reads, Buffer.alloc(100 * 1024, 1));
  read(reads, Buffer.alloc(100 * 1024, 2)); // 200 KiB of 256 used: 56 KiB left
  const third = read(reads, Buffer.alloc(70 * 1024, 3));
  expect(third.buffer).not.toBe(first.buffer);
  expect(got.map((chunk) => chunk.length)).toEqual([100 * 1024, 100 * 1024, 70 * 1024]);
  for (const [index, chunk] of got.entries()) expect(chunk.every((byte) => byte === index + 1)).toBe(true);
});

it('makes the next slab large enough for a message as long as the last one, only when needed', () => {
  const reads = new OwnReads();
  reads.deliverTo(() => undefined);
  const first = read(reads, Buffer.alloc(1000));
  reads.expect(50_000); // less than any read's room: nothing changes
  expect(read(reads, Buffer.alloc(10)).buffer).toBe(first.buffer);
  reads.expect(200 * 1024); // the slab's rest (255 KiB) holds it
  expect(read(reads, Buffer.alloc(10)).buffer).toBe(first.buffer);
  reads.expect(1024 * 1024 + 600); // a 1 MiB answer of 8 KiB buffers: a new slab, with room for one read more
  const big = reads.onread.buffer();
  expect(big.buffer).not.toBe(first.buffer);
  expect(big.length).toBe(1024 * 1024 + 600 + 64 * 1024);
  reads.onread.callback(1024 * 1024 + 600, big);
  reads.expect(1024 * 1024 + 600); // the rest is one read's room: the next message gets a slab of its own
  const next = reads.onread.buffer();
  expect(next.buffer).not.toBe(big.buffer);
  reads.onread.callback(100, next);
  expect(reads.onread.buffer().length).toBeGreaterThan(1024 * 1024); // the same slab until it is used
});

it('bounds the slab an expected message gets (longer messages span slabs)', () => {
  const reads = new OwnReads();
  reads.deliverTo(() => undefined);
  reads.expect(100 * 1024 * 1024);
  expect(reads.onread.buffer().length).toBe(MAX_SLAB_BYTES + 64 * 1024);
});
