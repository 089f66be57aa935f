// The byte-array equality of both projects' setup (byte-equality.ts): as strict as vitest's own.
import { describe, expect, it } from 'vitest';

const bytes = (size: number, last = 7): Buffer => {
  const buffer = Buffer.alloc(size, 1);
  buffer[size - 1] = last;
  return buffer;
};

describe('byte arrays in toEqual', () => {
  it('are equal when every byte is, however large', () => {
    expect(bytes(1 << 20)).toEqual(bytes(1 << 20));
    expect(new Uint8Array(bytes(300))).toStrictEqual(new Uint8Array(bytes(300)));
    expect({ payload: bytes(70_000) }).toEqual({ payload: bytes(70_000) });
  });

  it('differ when one byte does, or the length, also inside other values', () => {
    expect(() => expect(bytes(1 << 20)).toEqual(bytes(1 << 20, 8))).toThrow();
    expect(() => expect(bytes(100)).toEqual(bytes(101))).toThrow();
    expect(() => expect({ payload: [bytes(64)] }).toEqual({ payload: [bytes(64, 0)] })).toThrow();
    expect(() => expect(new Uint8Array(bytes(10))).toStrictEqual(new Uint8Array(bytes(10, 9)))).toThrow();
  });

  it('of different classes are left to vitest, which never takes them as equal', () => {
    expect(() => expect(bytes(10)).toEqual(new Uint8Array(bytes(10)))).toThrow();
    expect(() => expect(new Uint8Array(bytes(10))).toStrictEqual(bytes(10))).toThrow();
  });
});
