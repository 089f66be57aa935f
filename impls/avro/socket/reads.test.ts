// Reads into buffers of our own: every chunk handed on stays intact after later reads.
import { expect, it } from 'vitest';
import { OwnReads } from './reads.ts';

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
