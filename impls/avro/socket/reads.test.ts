// Reads into buffers of our own: every chunk handed on stays intact after later reads.
import { expect, it } from 'vitest';
import { StandardFrameDecoder } from '../framing/standard.ts';
import { FramingError } from '../limits.ts';
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
  expect(big.length).toBe(1024 * 1024 + 600 + 4096); // the message and a little slack
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
  expect(reads.onread.buffer().length).toBe(MAX_SLAB_BYTES);
});

/**
 * What net does with the bytes that arrived: reads into the room it is given, again while a read
 * fills its room (libuv reads on while the buffer comes back full). Returns the chunks handed on.
 */
function arrive(reads: OwnReads, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) {
    const room = reads.onread.buffer();
    const n = Math.min(room.length, bytes.length - at);
    bytes.copy(room, 0, at, at + n);
    reads.onread.callback(n, room);
    at += n;
  }
}

/** Java's framing of one message: 8 KiB frames, then the zero length (as its servers write). */
function javaFramed(message: Buffer): Buffer {
  return Buffer.concat(javaWrites(message));
}

/** The writes of Java's SocketServer for one message: each frame's length, its bytes, the zero length. */
function javaWrites(message: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < message.length; at += 8192) {
    const frame = message.subarray(at, Math.min(message.length, at + 8192));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(frame.length, 0);
    out.push(header, frame);
  }
  out.push(Buffer.alloc(4));
  return out;
}

function messageOf(size: number, seed: number): Buffer {
  const message = Buffer.alloc(size);
  for (let i = 0; i < size; i++) message[i] = (i * 7 + seed * 13) & 0xff;
  return message;
}

/** Our reads feeding a decoder that rewrites them, told the boundaries as the channel tells them. */
function readingDecoder(limits?: ConstructorParameters<typeof StandardFrameDecoder>[0]) {
  const reads = new OwnReads();
  const decoder = new StandardFrameDecoder(limits, { rewriteChunks: true });
  const messages: Buffer[] = [];
  let received = 0;
  let atBoundary = 0;
  reads.deliverTo((chunk) => {
    received += chunk.length;
    const frames = decoder.push(chunk);
    if (frames.length > 0 && decoder.pending === 0) {
      reads.expect(received - atBoundary);
      atBoundary = received;
    }
    for (const frame of frames) messages.push(frame.payload);
  });
  return { reads, messages };
}

it('puts repeated 64 KiB answers whole into slabs sized for them: no copy, no slab cut mid-answer', () => {
  const { reads, messages } = readingDecoder();
  // The answer of a 64 KiB echo (metadata, flag, the bytes' length and bytes), one read per write
  // of Java's SocketServer, as our client gets it on loopback.
  const sent = Array.from({ length: 30 }, (_, index) => messageOf(65_541, index));
  const slabs = new Set<ArrayBufferLike>();
  for (const message of sent) for (const write of javaWrites(message)) arrive(reads, write);
  expect(messages).toHaveLength(sent.length);
  for (const [index, message] of messages.entries()) {
    expect(message.equals(sent[index] as Buffer)).toBe(true); // compared after all arrived
    slabs.add(message.buffer);
  }
  // Joined in place (a view of the slab it was read into, not a fresh copy of its own size).
  expect(messages.every((message) => message.buffer.byteLength > message.length)).toBe(true);
  // Three answers per slab after the first two slabs (before: 85 KiB of slab per answer, and
  // every third answer cut across two slabs and copied).
  expect(slabs.size).toBeLessThanOrEqual(2 + Math.ceil((sent.length - 3) / 3));
});

it('lets an answer longer than expected go on into a new slab, intact', () => {
  const { reads, messages } = readingDecoder();
  const sizes = [65_563, 65_563, 65_563, 65_563, 65_563, 65_563, 130_000, 65_563, 100, 65_563 + 5000, 0, 300_000];
  const sent = sizes.map((size, index) => messageOf(size, index));
  for (const message of sent) arrive(reads, javaFramed(message));
  expect(messages.map((message) => message.length)).toEqual(sizes);
  for (const [index, message] of messages.entries()) expect(message.equals(sent[index] as Buffer)).toBe(true);
});

it('decodes several answers per read and answers split at awkward offsets, whatever the rooms', () => {
  const { reads, messages } = readingDecoder();
  const sent = Array.from({ length: 24 }, (_, index) => messageOf([65_563, 3, 70_000, 8192, 1][index % 5] as number, index));
  const wire = Buffer.concat(sent.map(javaFramed));
  const cuts = [1, 3, 4, 5, 8191, 8196, 65_535, 65_536, 65_600, 131_072, 200_001, 7];
  for (let at = 0, k = 0; at < wire.length; k++) {
    const n = Math.min(wire.length - at, cuts[k % cuts.length] as number);
    arrive(reads, wire.subarray(at, at + n));
    at += n;
  }
  expect(messages).toHaveLength(sent.length);
  for (const [index, message] of messages.entries()) expect(message.equals(sent[index] as Buffer)).toBe(true);
});

it('gives a read less than 64 KiB of room only when the rest of the expected message fits it', () => {
  const reads = new OwnReads();
  reads.deliverTo(() => undefined);
  reads.expect(100_000); // a slab of two such messages and slack
  const first = reads.onread.buffer();
  expect(first.length).toBe(2 * 100_000 + 4096);
  reads.onread.callback(100_000, first);
  reads.expect(100_000); // 104,096 left: the slab holds it
  const second = reads.onread.buffer();
  expect(second.buffer).toBe(first.buffer);
  reads.onread.callback(60_000, second); // 44,096 left, 40,000 expected: it fits, under 64 KiB
  const rest = reads.onread.buffer();
  expect(rest.buffer).toBe(first.buffer);
  expect(rest.length).toBe(44_096);
  reads.onread.callback(44_096, rest); // the message was longer than expected: the room is full
  const next = reads.onread.buffer();
  expect(next.buffer).not.toBe(first.buffer);
  expect(next.length).toBeGreaterThanOrEqual(64 * 1024);
});

it('refuses hostile frame lengths read into our slabs before allocating or waiting for them', () => {
  const { reads } = readingDecoder({ maxFrameBytes: 70_000, maxMessageBytes: 100_000 });
  const header = Buffer.alloc(4);
  header.writeUInt32BE(0xfffffff0, 0);
  expect(() => arrive(reads, header)).toThrow(FramingError);
  const { reads: other } = readingDecoder({ maxFrameBytes: 70_000, maxMessageBytes: 100_000 });
  // One frame of 65,000 bytes, then the header of a second of 65,536: the message would pass 100,000.
  const twoFrames = Buffer.concat([Buffer.from([0, 0, 0xfd, 0xe8]), messageOf(65_000, 1), Buffer.from([0, 1, 0, 0])]);
  expect(() => arrive(other, twoFrames)).toThrow(/message exceeds the limit/);
});
