import { describe, expect, it } from 'vitest';
import { encodeBuffer, encodeParts } from './encode.ts';
import { newRegistry, parseType } from './types.ts';

const schema = {
  type: 'record', name: 'R', fields: [
    { name: 'id', type: 'long' },
    { name: 'blob', type: 'bytes' },
    { name: 'tag', type: { type: 'fixed', name: 'F', size: 16 } },
    { name: 'big', type: { type: 'fixed', name: 'G', size: 10000 } },
    { name: 'names', type: { type: 'array', items: 'string' } },
    { name: 'maybe', type: ['null', 'bytes'] },
  ],
};

function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function value(blob: number, names: number, maybe: Buffer | null) {
  return {
    id: -(2n ** 62n), blob: pattern(blob, 1), tag: pattern(16, 2), big: pattern(10000, 3),
    names: Array.from({ length: names }, (_, i) => `name-${i}`), maybe: maybe === null ? null : { bytes: maybe },
  };
}

describe('encodeParts', () => {
  const type = parseType(schema, { registry: newRegistry() });

  it.each([
    ['small everything', value(10, 3, null)],
    ['large bytes between small items', value(70_000, 3, pattern(20, 4))],
    ['large bytes in a union at the end', value(0, 0, pattern(9000, 5))],
    ['small items overflowing the scratch buffer', value(100, 200_000, pattern(8192, 6))],
  ])('gives the bytes avsc gives: %s', (_, v) => {
    const parts = encodeParts(type, v);
    expect(parts.every((part) => part.length > 0)).toBe(true);
    expect(Buffer.concat(parts).equals(type.toBuffer(v))).toBe(true);
    expect(encodeBuffer(type, v).equals(type.toBuffer(v))).toBe(true);
  });

  it('refers to large bytes and fixed values instead of copying them', () => {
    const v = value(70_000, 1, null);
    const parts = encodeParts(type, v);
    expect(parts).toContain(v.blob);
    expect(parts).toContain(v.big);
    expect(parts).not.toContain(v.tag); // small: copied with its neighbours
  });

  it('owns the bytes of small items: a later encoding does not change an earlier one', () => {
    const first = encodeParts(type, value(10, 3, null));
    const copy = Buffer.concat(first);
    encodeParts(type, value(20, 50, pattern(30, 9)));
    expect(Buffer.concat(first).equals(copy)).toBe(true);
  });

  it('throws as toBuffer does for a value that does not fit, and recovers afterwards', () => {
    expect(() => encodeParts(type, { ...value(10, 1, null), tag: Buffer.alloc(3) })).toThrow();
    const v = value(10, 1, null);
    expect(Buffer.concat(encodeParts(type, v)).equals(type.toBuffer(v))).toBe(true);
  });

  it('encodes a null as nothing', () => {
    expect(encodeParts(parseType('null', { registry: newRegistry() }), null)).toEqual([]);
  });
});
