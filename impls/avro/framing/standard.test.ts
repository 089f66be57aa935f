import { describe, expect, it } from 'vitest';
import { FramingError } from '../limits.ts';
import { decodeStandardBody, encodeStandard, encodeStandardParts, StandardFrameDecoder } from './standard.ts';

describe('standard framing', () => {
  it('round-trips payloads larger than one written frame', () => {
    const payload = Buffer.alloc(20_000, 7);
    expect(decodeStandardBody(encodeStandard(payload)).equals(payload)).toBe(true);
  });

  it("accepts the extra terminators Java's HttpTransceiver writes for empty buffers", () => {
    const body = Buffer.concat([encodeStandard(Buffer.from('abc')), Buffer.alloc(4)]);
    expect(decodeStandardBody(body).toString()).toBe('abc');
  });

  it('rejects a second non-empty message, a truncated body, and oversize frames', () => {
    const two = Buffer.concat([encodeStandard(Buffer.from('a')), encodeStandard(Buffer.from('b'))]);
    expect(() => decodeStandardBody(two)).toThrow(/more than one/);
    expect(() => decodeStandardBody(encodeStandard(Buffer.from('abc')).subarray(0, 6))).toThrow(/truncated/);
    const decoder = new StandardFrameDecoder({ maxFrameBytes: 10, maxMessageBytes: 100, maxNettyBuffers: 1 });
    expect(() => decoder.push(Buffer.from([0, 0, 0, 11]))).toThrow(FramingError);
  });

  it('writes the parts of a message as one frame, without copying them', () => {
    const parts = [Buffer.from('ab'), Buffer.alloc(0), Buffer.alloc(20_000, 7), Buffer.from('c')];
    const framed = encodeStandardParts(parts);
    expect(framed.map((b) => b.length)).toEqual([4, 2, 20_000, 1, 4]);
    expect((framed[0] as Buffer).readUInt32BE(0)).toBe(20_003);
    expect(framed[3]).toBe(parts[3]);
    expect(framed[2]?.buffer).toBe(parts[2]?.buffer);
    expect(Buffer.concat(framed.slice(4)).readUInt32BE(0)).toBe(0);
  });

  it('writes a small message as one buffer holding the same bytes', () => {
    const parts = [Buffer.from('ab'), Buffer.alloc(0), Buffer.alloc(3000, 7), Buffer.from('c')];
    const framed = encodeStandardParts(parts);
    expect(framed).toHaveLength(1);
    expect(framed[0]).toEqual(Buffer.concat([Buffer.from([0, 0, 0x0b, 0xbb]), ...parts, Buffer.alloc(4)]));
    expect(decodeStandardBody(framed[0] as Buffer)).toEqual(Buffer.concat(parts));
  });

  it('cuts frames at the given size, across parts, and decodes back to the same bytes', () => {
    const parts = [Buffer.from('abcde'), Buffer.from('fg'), Buffer.from('hijklmn')];
    const body = Buffer.concat(encodeStandardParts(parts, 4));
    const lengths: number[] = [];
    for (let at = 0; at < body.length;) {
      const length = body.readUInt32BE(at);
      lengths.push(length);
      at += 4 + length;
    }
    expect(lengths).toEqual([4, 4, 4, 2, 0]);
    expect(decodeStandardBody(body).toString()).toBe('abcdefghijklmn');
    expect(Buffer.concat(encodeStandardParts([Buffer.alloc(0)]))).toEqual(Buffer.alloc(4));
  });

  it('joins frames lying one after another in one buffer in place, when it may rewrite its chunks', () => {
    const payload = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 31 + 7) & 0xff));
    // Java's framing: 8 KiB frames; then the next message, which must stay intact.
    const next = encodeStandard(Buffer.from('next'));
    const stream = Buffer.concat([...encodeStandardParts([payload], 8192), next]);
    const original = Buffer.from(stream);
    const rewriting = new StandardFrameDecoder(undefined, { rewriteChunks: true });
    const chunks = [stream.subarray(0, 5000), stream.subarray(5000, 12_000), stream.subarray(12_000)]; // reads of one slab
    const messages = chunks.flatMap((chunk) => rewriting.push(chunk)).map((frame) => frame.payload);
    expect(messages.map((m) => m.length)).toEqual([20_000, 4]);
    expect(messages[0]?.equals(payload)).toBe(true);
    expect(messages[0]?.buffer).toBe(stream.buffer); // a view, not a copy
    expect(messages[1]?.toString()).toBe('next');
    expect(stream.subarray(stream.length - next.length).equals(next)).toBe(true);
    // Without the option, or with frames in separate buffers, the chunks stay as they came.
    const copy = Buffer.from(original);
    const plain = new StandardFrameDecoder().push(copy)[0]?.payload;
    expect(plain?.equals(payload)).toBe(true);
    expect(copy.equals(original)).toBe(true);
    // Each in memory of its own: Buffer.from copies small buffers into Node's pool, where two in a row
    // can lie one after another (seen with Node 24.22's 64 KiB pool) and are then joined in place.
    const separate = [original.subarray(0, 9000), original.subarray(9000)].map((part) => {
      const own = Buffer.allocUnsafeSlow(part.length);
      part.copy(own);
      return own;
    });
    const decoder = new StandardFrameDecoder(undefined, { rewriteChunks: true });
    const fromSeparate = separate.flatMap((chunk) => decoder.push(chunk)).map((frame) => frame.payload);
    expect(fromSeparate[0]?.equals(payload)).toBe(true);
    expect(Buffer.concat(separate).equals(original)).toBe(true);
  });
});
