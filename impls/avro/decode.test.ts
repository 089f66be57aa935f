// The guarded readers (decode.ts, types.ts): declared counts and lengths against the bytes left,
// and the item budget that alone bounds items of zero-byte types.
import { describe, expect, it } from 'vitest';
import { PayloadReader } from './payload.ts';
import { createResolver } from './peers.ts';
import { newRegistry, parseType } from './types.ts';
import { varint } from './testing/raw.ts';

/** CPU milliseconds this thread has used: a bound on work done that waiting for a CPU on a busy machine does not move. */
const threadCpuMs = (): number => {
  const used = process.threadCpuUsage();
  return (used.user + used.system) / 1000;
};

const type = (schema: unknown) => parseType(schema, { registry: newRegistry() });
const read = (schema: unknown, bytes: Buffer, maxCollectionItems = 1_000): unknown => new PayloadReader(bytes, { maxCollectionItems }).read(type(schema));

describe('guarded readers', () => {
  it('bound items that take no bytes by the message item budget', () => {
    const started = threadCpuMs();
    expect(() => read({ type: 'array', items: 'null' }, varint(1e9))).toThrow(/array declares 1000000000 items, more than the 1000 this message may still declare \(limit maxCollectionItems\)/);
    const empty = { type: 'array', items: { type: 'record', name: 'Empty', fields: [] } };
    expect(() => read(empty, varint(2 ** 40))).toThrow(/more than the 1000/);
    expect(read({ type: 'array', items: 'null' }, Buffer.concat([varint(1000), varint(0)]))).toHaveLength(1000);
    expect(threadCpuMs() - started).toBeLessThan(200);
  });

  it('share one budget between all collections of a message, nested ones included', () => {
    // 10 arrays of 200 nulls: 10 + 2000 items against a budget of 1000.
    const nested = Buffer.concat([varint(10), ...Array.from({ length: 10 }, () => Buffer.concat([varint(200), varint(0)])), varint(0)]);
    expect(() => read({ type: 'array', items: { type: 'array', items: 'null' } }, nested)).toThrow(/maxCollectionItems/);
    expect(read({ type: 'array', items: { type: 'array', items: 'null' } }, nested, 10_000)).toHaveLength(10);
  });

  it('check counts against the bytes their items need at least', () => {
    expect(() => read({ type: 'array', items: 'double' }, Buffer.concat([varint(3), Buffer.alloc(16)]))).toThrow(/3 items of at least 8 bytes each, but only 16 bytes are left/);
    expect(() => read({ type: 'map', values: 'long' }, Buffer.concat([varint(5), Buffer.alloc(9)]))).toThrow(/map declares 5 items of at least 2 bytes each, but only 9 bytes are left/);
    const point = { type: 'record', name: 'P', fields: [{ name: 'x', type: 'float' }, { name: 'y', type: { type: 'fixed', name: 'F', size: 4 } }] };
    expect(() => read({ type: 'array', items: point }, Buffer.concat([varint(2), Buffer.alloc(15)]))).toThrow(/2 items of at least 8 bytes/);
  });

  it('check block sizes, lengths and counts that are negative or too large', () => {
    expect(() => read({ type: 'array', items: 'int' }, Buffer.concat([varint(-2), varint(-5)]))).toThrow(/block declares a size of -5 bytes/);
    expect(() => read({ type: 'array', items: 'int' }, Buffer.concat([varint(-2), varint(100), Buffer.alloc(2)]))).toThrow(/size of 100 bytes but 2 are left/);
    expect(read({ type: 'array', items: 'int' }, Buffer.concat([varint(-2), varint(2), varint(3), varint(4), varint(0)]))).toEqual([3, 4]);
    expect(() => read('string', varint(-1))).toThrow(/string declares a negative length/);
    expect(() => read('bytes', Buffer.concat([varint(2 ** 40), Buffer.alloc(3)]))).toThrow(/bytes declares 1099511627776 bytes but only 3 are left/);
    expect(() => read({ type: 'map', values: 'int' }, Buffer.concat([varint(1), varint(50), Buffer.from('ab')]))).toThrow(/string declares 50 bytes/);
  });

  it('also when skipping a field the reader does not have (the writer\'s collection)', () => {
    const writer = type({ type: 'record', name: 'R', fields: [{ name: 'junk', type: { type: 'array', items: 'null' } }, { name: 'keep', type: 'int' }] });
    const reader = type({ type: 'record', name: 'R', fields: [{ name: 'keep', type: 'int' }] });
    const resolver = createResolver(reader, writer);
    const started = threadCpuMs();
    expect(() => new PayloadReader(Buffer.concat([varint(2 ** 40), varint(0), varint(7)]), { maxCollectionItems: 1_000 }).read(reader, resolver)).toThrow(/maxCollectionItems/);
    expect(threadCpuMs() - started).toBeLessThan(200);
    expect(new PayloadReader(Buffer.concat([varint(3), varint(0), varint(7)]), { maxCollectionItems: 1_000 }).read(reader, resolver)).toEqual({ keep: 7 });
  });

  it('check a resolved collection against the writer\'s items (ints read as longs)', () => {
    const writer = type({ type: 'array', items: 'int' });
    const reader = type({ type: 'array', items: 'long' });
    const resolver = createResolver(reader, writer);
    expect(new PayloadReader(Buffer.concat([varint(2), varint(1), varint(2), varint(0)])).read(reader, resolver)).toEqual([1n, 2n]);
    expect(() => new PayloadReader(Buffer.concat([varint(5), varint(1)])).read(reader, resolver)).toThrow(/5 items of at least 1 byte each, but only 1 bytes are left/);
  });

  it('keep map keys named __proto__ as entries', () => {
    const value = read({ type: 'map', values: 'int' }, Buffer.concat([varint(1), varint(9), Buffer.from('__proto__'), varint(5), varint(0)])) as Record<string, number>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe(5);
  });
});
