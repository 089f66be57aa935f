// The HTTP client's body reader: one standard-framed message out of borrowed reads (the read
// buffer is overwritten after every push), at every split, within the framing limits.
import { describe, expect, it } from 'vitest';
import { encodeStandardParts } from '../framing/standard.ts';
import { DEFAULT_LIMITS, FramingError, type Limits } from '../limits.ts';
import { BodySizes, FramedBodyReader } from './body.ts';

/** A message framed as Java frames it: one frame per `frameBytes`. */
function javaFramed(message: Buffer, frameBytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < message.length; at += frameBytes) {
    const frame = message.subarray(at, at + frameBytes);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(frame.length, 0);
    parts.push(header, frame);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

/** Pushes `body` in pieces of `size` through one scratch buffer, scribbled over after each push. */
function readBorrowed(body: Buffer, size: number, capacity: number, limits: Limits = DEFAULT_LIMITS): Buffer {
  const reader = new FramedBodyReader(limits, capacity);
  const scratch = Buffer.alloc(size);
  for (let at = 0; at < body.length; at += size) {
    const n = body.copy(scratch, 0, at, at + size);
    reader.push(scratch.subarray(0, n));
    scratch.fill(0xee);
  }
  return reader.finish(body.length);
}

const MESSAGE = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 31 + 7) & 0xff));

describe('FramedBodyReader', () => {
  it('reassembles a message framed every 8 KiB, from borrowed reads cut anywhere', () => {
    const body = javaFramed(MESSAGE, 8192);
    for (const size of [1, 2, 3, 4, 5, 7, 4096, 8195, 8196, 8197, 16_390, body.length]) {
      for (const capacity of [0, 100, body.length]) {
        expect(readBorrowed(body, size, capacity).equals(MESSAGE), `pieces of ${size}, capacity ${capacity}`).toBe(true);
      }
    }
  });

  it('reads our own framing (one frame) and an empty message', () => {
    expect(readBorrowed(Buffer.concat(encodeStandardParts([MESSAGE])), 1000, 64).equals(MESSAGE)).toBe(true);
    expect(readBorrowed(Buffer.alloc(4), 1, 16).length).toBe(0);
  });

  it('accepts empty frames after the message up to the limit, and refuses more', () => {
    const limits = { ...DEFAULT_LIMITS, maxTrailingEmptyFrames: 2 };
    const body = javaFramed(MESSAGE, 8192);
    expect(readBorrowed(Buffer.concat([body, Buffer.alloc(8)]), 3, 0, limits).equals(MESSAGE)).toBe(true);
    expect(() => readBorrowed(Buffer.concat([body, Buffer.alloc(12)]), 3, 0, limits)).toThrow(/more than 2 empty frames/);
  });

  it('refuses a second message, a truncated body and bytes after the message', () => {
    const body = javaFramed(MESSAGE, 8192);
    expect(() => readBorrowed(Buffer.concat([body, body]), 5000, 0)).toThrow(/more than one framed message/);
    expect(() => readBorrowed(body.subarray(0, body.length - 1), 5000, 0)).toThrow(/no complete framed message/);
    expect(() => readBorrowed(Buffer.concat([body, Buffer.alloc(2)]), 5000, 0)).toThrow(/2 bytes after its framed message/);
  });

  it('checks declared frame and message lengths before taking their bytes', () => {
    const limits = { ...DEFAULT_LIMITS, maxFrameBytes: 10_000, maxMessageBytes: 15_000 };
    const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    const reader = new FramedBodyReader(limits, 0);
    expect(() => reader.push(huge)).toThrow(FramingError);
    expect(() => new FramedBodyReader(limits, 0).push(Buffer.from('POST / HTTP/1.1'))).toThrow(/looks like an HTTP request/);
    expect(() => readBorrowed(javaFramed(MESSAGE, 8192), 100, 0, limits)).toThrow(/message exceeds the limit of 15000 bytes/);
  });

  it('grows only with bytes that came: a frame declared large holds what was sent', () => {
    const reader = new FramedBodyReader(DEFAULT_LIMITS, 16);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(10_000_000, 0);
    reader.push(header);
    reader.push(Buffer.alloc(100, 1));
    expect(() => reader.finish(104)).toThrow(/no complete framed message/);
    expect((reader as unknown as { buffer: Buffer }).buffer.length).toBeLessThanOrEqual(200);
  });

  it('hands on a message much smaller than its buffer as a copy of its own size', () => {
    const small = readBorrowed(javaFramed(MESSAGE.subarray(0, 100), 8192), 4096, 1024 * 1024);
    // A copy: its own memory or a slice of Node's pool for small buffers (Buffer.poolSize: 8 KiB in
    // Node 24.9, 64 KiB in 24.22), never a view that keeps the reader's 1 MiB buffer alive.
    expect(small.buffer.byteLength).toBeLessThanOrEqual(Math.max(Buffer.poolSize, small.length));
    expect(small.equals(MESSAGE.subarray(0, 100))).toBe(true);
  });
});

describe('FramedBodyReader, as our server reads requests', () => {
  it('refuses an empty message when told to (a request carries at least a handshake or a call)', () => {
    const reader = new FramedBodyReader(DEFAULT_LIMITS, 64, { allowEmptyMessage: false });
    expect(() => reader.push(Buffer.alloc(4))).toThrow(/empty message/);
    expect(readBorrowed(javaFramed(MESSAGE, 8192), 100, 0).equals(MESSAGE)).toBe(true);
  });

  it('frees each buffer it outgrows, and a mostly empty one it copied the message out of', () => {
    // Buffers of their own: above half of Node's pool (Buffer.poolSize, 64 KiB in Node 24.22), whose slices are left alone.
    const large = Buffer.concat(Array.from({ length: 10 }, () => MESSAGE));
    const reader = new FramedBodyReader(DEFAULT_LIMITS, 40 * 1024);
    const internal = reader as unknown as { buffer: Buffer };
    const outgrown: Buffer[] = [internal.buffer];
    const body = javaFramed(large, 8192);
    for (let at = 0; at < body.length; at += 5000) {
      reader.push(body.subarray(at, at + 5000));
      if (internal.buffer !== outgrown.at(-1)) outgrown.push(internal.buffer);
    }
    const last = outgrown.pop() as Buffer;
    expect(outgrown.length).toBeGreaterThan(1);
    expect(outgrown.every((b) => b.buffer.byteLength === 0)).toBe(true);
    expect(reader.finish(body.length).equals(large)).toBe(true);
    expect(last.buffer.byteLength).toBeGreaterThan(0);

    const roomy = new FramedBodyReader(DEFAULT_LIMITS, 256 * 1024);
    const big = (roomy as unknown as { buffer: Buffer }).buffer;
    roomy.push(javaFramed(MESSAGE.subarray(0, 100), 8192));
    expect(roomy.finish(108).equals(MESSAGE.subarray(0, 100))).toBe(true);
    expect(big.buffer.byteLength).toBe(0);
  });
});

describe('BodySizes', () => {
  it('believes a declared length only up to its bound before the bytes come', () => {
    const server = new BodySizes(128 * 1024, { trustReceived: false });
    expect(server.capacity(1000)).toBe(1000);
    expect(server.capacity(100 * 1024 * 1024)).toBe(128 * 1024);
    // One large body really received does not make a server believe the next declared length.
    server.received(16 * 1024 * 1024, 16 * 1024 * 1024);
    expect(server.capacity(16 * 1024 * 1024)).toBe(128 * 1024);
    // A client believes its server up to the largest answer it has really had.
    const client = new BodySizes(1024 * 1024, { trustReceived: true });
    expect(client.capacity(16 * 1024 * 1024)).toBe(1024 * 1024);
    client.received(16 * 1024 * 1024, 16 * 1024 * 1024);
    expect(client.capacity(16 * 1024 * 1024)).toBe(16 * 1024 * 1024);
  });

  it('starts a body of unknown or unreadable length at the last such body\'s size, within the bound', () => {
    const sizes = new BodySizes(128 * 1024, { trustReceived: false });
    expect(sizes.capacity(undefined)).toBe(16 * 1024);
    expect(sizes.capacity(Number.NaN)).toBe(16 * 1024);
    expect(sizes.capacity(-1)).toBe(16 * 1024);
    sizes.received(40_000, undefined);
    expect(sizes.capacity(undefined)).toBe(40_000);
    sizes.received(10_000_000, undefined);
    expect(sizes.capacity(undefined)).toBe(128 * 1024);
  });
});
