// The compiled record decoder against avsc's own decoding of the same bytes (values of the same
// classes, field by field), and its refusals of bad record data inside a data file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileReader, Cursor, RECORD_ITEM_BUDGET, RecordTruncated } from './decoder.ts';
import { DataFileError, DataFileReader, DataFileWriter, readAll } from './index.ts';
import { typeOf } from './schema.ts';
import { longBytes } from './varint.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';
import { EVERYTHING } from './testing/everything-schema.ts';

const dir = scratchDirectory('avro-decoder-');

function everything(n: number, next: unknown = null): Record<string, unknown> {
  const dict: Record<string, unknown> = { plain: { string: 'value' }, none: null, colour: { 'org.test.Colour': 'GREEN' } };
  Object.defineProperty(dict, '__proto__', { value: { string: 'an entry, not a prototype' }, enumerable: true, writable: true, configurable: true });
  return {
    nothing: null, flag: n % 2 === 0, small: [0, -1, 63, -64, 2147483647, -2147483648][n % 6] as number,
    big: [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 35n) + 7n, 268435455n, 268435456n][n % 8] as bigint,
    stamp: 1_700_000_000_000_000n + BigInt(n), ratio: Math.fround(n / 3), exact: n === 1 ? Number.NaN : n * 1e300 - 0.5,
    name: ['', 'a', 'abcdef', 'abcdefg', 'é', 'naïve café — ünïcödé text longer than sixteen bytes', 'x'.repeat(300), 'abcdefgh', 'abcdefghi', 'abcdefé', 'é1234567', '\u007f\u0000\u0001'][n % 12] as string,
    blob: Buffer.from(Array.from({ length: [0, 1, 32, 33, 200][n % 5] as number }, (_, i) => (i * 7 + n) & 0xff)),
    id: Buffer.from([1, 2, 3, 4, 5, n & 0xff]), empty: Buffer.alloc(0),
    colour: ['RED', 'GREEN', 'BLUE'][n % 3], list: Array.from({ length: n % 4 }, (_, i) => BigInt(i) * -(10n ** 15n)),
    nulls: Array.from({ length: n % 3 }, () => null), dict,
    money: { unscaled: BigInt(n) * -12345n, scale: 2 }, next,
    inner: { x: n, y: n % 3 === 0 ? { string: 'why' } : n % 3 === 1 ? { boolean: true } : { 'org.test.Id': Buffer.from('abcdef') } },
  };
}

interface AvscType {
  toBuffer(value: unknown): Buffer;
  decode(buf: Buffer, pos: number): { value: unknown; offset: number };
}

describe('compiled decoder', () => {
  const type = typeOf(EVERYTHING, 'writer') as unknown as AvscType;
  const read = compileReader(typeOf(EVERYTHING, 'writer'));

  it('reads every type into the same values as avsc, of the same classes', () => {
    // One type object for encoding and both decoders: the record classes are the type's own.
    const sameType = typeOf(EVERYTHING, 'writer');
    const avsc = sameType as unknown as AvscType;
    const compiled = compileReader(sameType);
    for (let n = 0; n < 40; n++) {
      const value = everything(n, n % 4 === 0 ? { 'org.test.Everything': everything(n + 1, { 'org.test.Everything': everything(n + 2) }) } : null);
      const bytes = Buffer.concat([avsc.toBuffer(value), Buffer.from([0xee])]);
      const cursor = new Cursor(bytes);
      cursor.itemsLeft = RECORD_ITEM_BUDGET;
      const ours = compiled(cursor);
      const theirs = avsc.decode(bytes, 0);
      expect(cursor.pos).toBe(theirs.offset);
      expect(ours).toStrictEqual(theirs.value);
      const dict = (ours as { dict: Record<string, unknown> }).dict;
      expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
      expect(Object.keys(dict)).toContain('__proto__');
    }
  });

  it('reads a data file with the writer\'s schema as it reads it with the same schema as reader (avsc resolving)', () => {
    const path = join(dir, 'everything.avro');
    const writer = DataFileWriter.create(path, EVERYTHING, { codec: 'snappy', blockSize: 2000 });
    for (let n = 0; n < 60; n++) writer.append(everything(n));
    writer.close();
    const plain = readAll(path).records;
    const resolved = readAll(path, { readerSchema: EVERYTHING }).records;
    expect(plain).toHaveLength(60);
    // Different type objects (the reader's schema is parsed again): compare as plain data.
    expect(JSON.parse(JSON.stringify(plain, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))).toEqual(
      JSON.parse(JSON.stringify(resolved, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))));
  });

  it('stops at the end of the block wherever the record is cut (RecordTruncated, or a collection count the bytes left cannot hold)', () => {
    const bytes = type.toBuffer(everything(5));
    for (let cut = 0; cut < bytes.length; cut++) {
      const cursor = new Cursor(bytes.subarray(0, cut));
      cursor.itemsLeft = RECORD_ITEM_BUDGET;
      let error: unknown;
      try {
        read(cursor);
      } catch (e) {
        error = e;
      }
      expect(error instanceof RecordTruncated || /bytes are left/.test(String(error))).toBe(true);
    }
  });
});

describe('bad record data in a data file', () => {
  const SCHEMA = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }, { name: 'items', type: { type: 'array', items: 'null' } }, { name: 's', type: ['null', 'string'] }] };
  const SYNC = Buffer.alloc(16, 0x5c);
  const goodPath = join(dir, 'good.avro');
  const writer = DataFileWriter.create(goodPath, SCHEMA, { syncMarker: SYNC });
  writer.close();
  const header = readFileSync(goodPath);

  function fileWith(name: string, records: number, data: Buffer): string {
    const path = join(dir, `${name}.avro`);
    writeFileSync(path, Buffer.concat([header, longBytes(records), longBytes(data.length), data, SYNC]));
    return path;
  }

  function refusal(path: string): DataFileError {
    try {
      readAll(path);
    } catch (error) {
      if (error instanceof DataFileError) return error;
      throw error;
    }
    throw new Error('the file was read without an error');
  }

  it('refuses an array of nulls declaring more items than the record budget, before looping', () => {
    const error = refusal(fileWith('huge-nulls', 1, Buffer.concat([longBytes(1), longBytes(2 ** 40), longBytes(0), Buffer.from([0])])));
    expect(error.kind).toBe('bad-data');
    expect(error.message).toMatch(/array declares 1099511627776 items/);
  });

  it('refuses a negative string length, an unknown union branch and an overlong long', () => {
    const negative = refusal(fileWith('negative-string', 1, Buffer.concat([longBytes(1), longBytes(0), longBytes(1), longBytes(-3)])));
    expect(negative.kind).toBe('bad-data');
    expect(negative.message).toMatch(/negative length/);
    const branch = refusal(fileWith('bad-branch', 1, Buffer.concat([longBytes(1), longBytes(0), longBytes(7)])));
    expect(branch.kind).toBe('bad-data');
    expect(branch.message).toMatch(/invalid union index 7/);
    const overlong = refusal(fileWith('overlong', 1, Buffer.concat([Buffer.alloc(11, 0xff), Buffer.from([0x01, 0, 0])])));
    expect(overlong.kind).toBe('bad-data');
    expect(overlong.message).toMatch(/longer than 10 bytes/);
  });

  it('gives the records before a bad one, then the error, then nothing more; return() ends it early', () => {
    // Two good records (n = 1, 2; no items; null), then a union index no branch has.
    const good = Buffer.concat([longBytes(1), longBytes(0), longBytes(0), longBytes(2), longBytes(0), longBytes(0)]);
    const path = fileWith('good-then-bad', 3, Buffer.concat([good, longBytes(3), longBytes(0), longBytes(9)]));
    const reader = DataFileReader.open(path);
    const records = reader.records();
    expect((records.next().value as { n: bigint }).n).toBe(1n);
    expect((records.next().value as { n: bigint }).n).toBe(2n);
    expect(() => records.next()).toThrow(/record 2: does not decode: invalid union index 9/);
    expect(records.next()).toEqual({ value: undefined, done: true });
    reader.close();
    const again = DataFileReader.open(fileWith('good-only', 2, good));
    const early = again.records();
    for (const _ of early) break;
    expect(early.next().done).toBe(true);
    again.close();
    const whole = DataFileReader.open(fileWith('good-only-2', 2, good));
    expect([...whole.records()].map((r) => (r as { n: bigint }).n)).toEqual([1n, 2n]);
    whole.close();
  });

  it('says which record of which block ends early or leaves bytes behind', () => {
    const cut = refusal(fileWith('cut', 1, Buffer.concat([longBytes(1), longBytes(0), longBytes(1), longBytes(50), Buffer.from('short')])));
    expect(cut.kind).toBe('bad-block');
    expect(cut.message).toMatch(/block 0 .* end inside record 0/);
    const left = refusal(fileWith('left', 1, Buffer.concat([longBytes(1), longBytes(0), longBytes(0), Buffer.from([9, 9])])));
    expect(left.kind).toBe('bad-block');
    expect(left.message).toMatch(/2 of its 5 bytes are left/);
  });
});
