// A value written on a union branch is read back on the reader's branch of the same type, before
// any branch it could be promoted to (union-resolution.ts); avsc alone chose the first resolvable.
import { describe, expect, it } from 'vitest';
import { createResolver } from './peers.ts';
import { newRegistry, parseType } from './types.ts';
import { branchOrder } from './union-resolution.ts';

function typeOf(schema: unknown) {
  return parseType(schema, { registry: newRegistry() });
}

describe('resolving into a union', () => {
  it('tries the branch of the same type first, then the others in order', () => {
    expect(branchOrder(['string', 'bytes'], 'bytes')).toEqual([1, 0]);
    expect(branchOrder(['long', 'int', 'null'], 'int')).toEqual([1, 0, 2]);
    expect(branchOrder(['string', 'bytes'], 'int')).toEqual([0, 1]);
    expect(branchOrder(['a.R', 'b.R'], 'b.R')).toEqual([1, 0]);
  });

  it('keeps bytes as bytes when the reader union lists string first', () => {
    const schema = ['string', 'bytes'];
    const writer = typeOf(schema);
    const reader = typeOf(schema);
    const buf = writer.toBuffer({ bytes: Buffer.from('hi') });
    expect(reader.fromBuffer(buf, createResolver(reader, writer))).toEqual({ bytes: Buffer.from('hi') });
  });

  it('keeps an int an int when the reader union lists long first, and still promotes when no int branch exists', () => {
    const writer = typeOf(['int', 'null']);
    const buf = writer.toBuffer({ int: 7 });
    const withInt = typeOf(['long', 'int', 'null']);
    expect(withInt.fromBuffer(buf, createResolver(withInt, writer))).toEqual({ int: 7 });
    const withoutInt = typeOf(['null', 'long']);
    expect(withoutInt.fromBuffer(buf, createResolver(withoutInt, writer))).toEqual({ long: 7n });
  });

  it('still refuses a writer branch that no reader branch can read', () => {
    const writer = typeOf(['boolean', 'null']);
    const reader = typeOf(['string', 'null']);
    expect(() => createResolver(reader, writer)).toThrow();
  });
});
