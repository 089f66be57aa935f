// The writers' output buffer: a framed message is sent where it was written (the length goes into
// room kept before the first block), large values stay referenced, and short text is written and
// read by the JavaScript fast paths with the same bytes as Buffer's own UTF-8 codec.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits.ts';
import { BinaryReader } from './binary.ts';
import { OutputBuffer } from './output.ts';
import { shortText } from './protocol.ts';

/** What a framed message must be on the wire: its 4-byte big-endian length, then its bytes. */
function expectedFrame(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** A buffer of n bytes that differ from one position to the next. */
function pattern(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
}

describe('OutputBuffer.finishFramed', () => {
  it('gives a small message as one buffer whose bytes are the length and the message', () => {
    const write = (output: OutputBuffer): void => {
      output.int32(-2147418111);
      output.lengthPrefixedUtf8('echoI32');
      output.byte(0);
    };
    const output = new OutputBuffer();
    write(output);
    const framed = output.finishFramed();
    expect(framed).toHaveLength(1);
    expect(framed[0]).toEqual(expectedFrame(Buffer.concat(outputOf(write))));
  });

  it('frames a message written over many blocks, and finish() still gives it without the length', () => {
    const output = new OutputBuffer();
    for (let i = 0; i < 40_000; i++) output.int32(i);
    const body = Buffer.concat(output.finish());
    expect(body).toHaveLength(160_000);
    expect(body.readInt32BE(4 * 39_999)).toBe(39_999);
    expect(Buffer.concat(output.finishFramed())).toEqual(expectedFrame(body));
    expect(Buffer.concat(output.finish())).toEqual(body);
  });

  it('keeps a large value by reference at the start, in the middle and at the end of a message', () => {
    const large = pattern(70_000, 7);
    const starts = OutputBuffer.holding(large);
    const startFrame = starts.finishFramed();
    expect(startFrame).toHaveLength(2);
    expect(startFrame[1]).toBe(large);
    expect(Buffer.concat(startFrame)).toEqual(expectedFrame(large));

    const middle = new OutputBuffer();
    middle.int32(1);
    middle.bytes(large);
    middle.int16(-2);
    const middleFrame = middle.finishFramed();
    expect(middleFrame).toContain(large);
    const body = Buffer.concat([Buffer.from([0, 0, 0, 1]), large, Buffer.from([0xff, 0xfe])]);
    expect(Buffer.concat(middleFrame)).toEqual(expectedFrame(body));
    expect(Buffer.concat(middle.finish())).toEqual(body);
  });

  it('writes the same frame when asked twice', () => {
    const output = new OutputBuffer();
    output.bytes(pattern(100, 1));
    const once = Buffer.concat(output.finishFramed());
    expect(Buffer.concat(output.finishFramed())).toEqual(once);
    expect(once).toEqual(expectedFrame(pattern(100, 1)));
  });
});

describe('short text', () => {
  const texts = ['', 'echoI32', 'Conformance:echoI32', 'é', 'naïve café', '日本語', '🙂 emoji', 'a'.repeat(32), 'ü'.repeat(32), 'x'.repeat(33)];

  it.each(texts)('writes %j with the bytes of Buffer.from(text) behind their length', (text) => {
    const output = new OutputBuffer();
    output.lengthPrefixedUtf8(text);
    const encoded = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(4);
    header.writeInt32BE(encoded.length);
    expect(Buffer.concat(output.finish())).toEqual(Buffer.concat([header, encoded]));
  });

  it.each([...texts, 'y'.repeat(200), 'ö'.repeat(70)])('writes %j with the bytes of Buffer.from(text) behind their varint length', (text) => {
    const output = new OutputBuffer();
    output.varintPrefixedUtf8(text);
    const encoded = Buffer.from(text, 'utf8');
    const varint: number[] = [];
    for (let n = encoded.length; ; n >>>= 7) {
      if (n < 0x80) {
        varint.push(n);
        break;
      }
      varint.push((n & 0x7f) | 0x80);
    }
    expect(Buffer.concat(output.finish())).toEqual(Buffer.concat([Buffer.from(varint), encoded]));
  });

  it.each(texts)('reads %j back as it was written', (text) => {
    const output = new OutputBuffer();
    output.lengthPrefixedUtf8(text);
    expect(new BinaryReader(Buffer.concat(output.finish()), DEFAULT_LIMITS).readString()).toBe(text);
  });

  it('decodes bytes that are not UTF-8 as Buffer does (replacement characters)', () => {
    for (const bytes of [[0x61, 0xff, 0x62], [0xc3], [0xe6, 0x97], [0xed, 0xa0, 0x80], [0x80, 0x80]]) {
      const buf = Buffer.from(bytes);
      expect(shortText(buf, 0, buf.length)).toBe(buf.toString('utf8'));
    }
  });
});

/** The finished segments of an output written by write. */
function outputOf(write: (output: OutputBuffer) => void): Buffer[] {
  const output = new OutputBuffer();
  write(output);
  return output.finish();
}
