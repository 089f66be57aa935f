import { describe, expect, it } from 'vitest';
import { FramingError } from '../limits.ts';
import { decodeStandardBody, encodeStandard, StandardFrameDecoder } from './standard.ts';

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
});
