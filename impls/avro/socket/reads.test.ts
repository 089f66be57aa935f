// Reads into a buffer of our own: every chunk handed on stays intact after later reads.
import { expect, it } from 'vitest';
import { OwnReads } from './reads.ts';

/** One read as net does it: asks for the buffer, fills `bytes`, calls back. */
function read(reads: OwnReads, bytes: Buffer): Buffer {
  const buffer = reads.onread.buffer();
  bytes.copy(buffer);
  reads.onread.callback(bytes.length, buffer);
  return buffer;
}

it('copies small reads out of the read buffer and lets large ones keep it', () => {
  const reads = new OwnReads();
  const early = read(reads, Buffer.from('early'));
  const got: Buffer[] = [];
  reads.deliverTo((chunk) => got.push(chunk));
  const small = read(reads, Buffer.from('small'));
  expect(small).toBe(early); // read into again
  const large = read(reads, Buffer.alloc(5000, 7));
  expect(large).toBe(early); // this read kept it...
  const next = read(reads, Buffer.from('next'));
  expect(next).not.toBe(large); // ...so the next read has a new buffer
  read(reads, Buffer.from('overwrite'));
  expect(got.map((chunk) => chunk.length)).toEqual([5, 5, 5000, 4, 9]);
  expect(got[0]?.toString()).toBe('early');
  expect(got[1]?.toString()).toBe('small');
  expect(got[2]?.equals(Buffer.alloc(5000, 7))).toBe(true);
  expect(got[3]?.toString()).toBe('next');
});
