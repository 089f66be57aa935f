// The compiled record encoder against avsc's own encoding of the same values (byte for byte), its
// refusals (everything avsc's isValid rejects, and a few values it leaves to avsc on purpose), and
// the writer's fallback to avsc for refused values and schemas the compiler does not know.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileWriter, NotCompiled, Sink, type WriteValue } from './encoder.ts';
import { DataFileError, DataFileWriter, readAll } from './index.ts';
import { typeOf } from './schema.ts';
import { EVERYTHING } from './testing/everything-schema.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';

const dir = scratchDirectory('avro-encoder-');

interface AvscType {
  toBuffer(value: unknown): Buffer;
  isValid(value: unknown): boolean;
}

/** Encodes with the compiled encoder into a deliberately tiny sink (every write grows it). */
function encodeCompiled(write: WriteValue, value: unknown, sinkSize = 1): Buffer {
  const sink = new Sink(sinkSize);
  write(sink, value);
  return Buffer.from(sink.buf.subarray(0, sink.pos));
}

function compiled(schema: unknown): { write: WriteValue; type: AvscType } {
  const type = typeOf(schema, 'writer');
  const write = compileWriter(type);
  if (!write) throw new Error('schema not compiled');
  return { write, type: type as unknown as AvscType };
}

/** A small seeded generator, so that every run checks the same values. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}


const INTS = [0, -1, 1, 63, -64, 64, -65, 8191, 8192, 2 ** 20, -(2 ** 27), 2 ** 28, 2147483647, -2147483648, -0];
const LONGS = [0n, -1n, 1n, 63n, -64n, 64n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, 2n ** 35n - 1n, 2n ** 35n, -(2n ** 35n),
  2n ** 53n + 1n, 2n ** 56n, -(2n ** 62n), 2n ** 63n - 1n, -(2n ** 63n)];
const DOUBLES = [0, -0, 1.5, -1e300, Number.MIN_VALUE, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1 / 3];
const STRINGS = ['', 'a', 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(65), 'é', 'naïve café', '€'.repeat(22), '€'.repeat(30), 'z'.repeat(1000),
  '😀 emoji pair', `${'a'.repeat(60)}é`, 'ascii then 😀'.repeat(10), '\u0000\u007f'];

function everything(n: number, next: unknown = null): Record<string, unknown> {
  const random = generator(n + 1);
  const dict: Record<string, unknown> = { plain: { string: 'value' }, none: null, colour: { 'org.test.Colour': 'GREEN' } };
  if (n % 2 === 0) Object.defineProperty(dict, '__proto__', { value: { string: 'an entry, not a prototype' }, enumerable: true, writable: true, configurable: true });
  if (n % 5 === 0) for (let k = 0; k < 70; k++) dict[`key${k}`] = null;
  return {
    nothing: null, flag: n % 2 === 0, small: INTS[n % INTS.length] as number,
    big: n % 3 === 0 ? BigInt.asIntN(64, (BigInt(random()) << 32n) | BigInt(random())) : LONGS[n % LONGS.length] as bigint,
    stamp: 1_700_000_000_000_000n + BigInt(n), ratio: n % 4 === 0 ? Number.NaN : (n - 20) * 1.1e37, exact: DOUBLES[n % DOUBLES.length] as number,
    name: STRINGS[n % STRINGS.length] as string,
    blob: Buffer.from(Array.from({ length: [0, 1, 32, 33, 200, 70000][n % 6] as number }, () => random() & 0xff)),
    id: Buffer.from([1, 2, 3, 4, 5, n & 0xff]), empty: Buffer.alloc(0),
    colour: ['RED', 'GREEN', 'BLUE'][n % 3], list: Array.from({ length: n % 4 === 3 ? 200 : n % 4 }, (_, i) => BigInt(i) * -(10n ** 15n)),
    nulls: Array.from({ length: n % 3 }, () => null), dict,
    money: { unscaled: BigInt(n) * -12345678901234567890n, scale: 2 }, next,
    inner: { x: n, y: [{ string: 'why' }, { boolean: true }, { 'org.test.Id': Buffer.from('abcdef') }, { double: -2.5 }][n % 4] },
  };
}

describe('compiled encoder', () => {
  it('writes every type exactly as avsc does (nested and recursive records, unions, maps, arrays, fixed, decimal)', () => {
    const { write, type } = compiled(EVERYTHING);
    for (let n = 0; n < 120; n++) {
      const value = everything(n, n % 4 === 0 ? { 'org.test.Everything': everything(n + 1, { 'org.test.Everything': everything(n + 2) }) } : null);
      expect(type.isValid(value)).toBe(true);
      expect(encodeCompiled(write, value, n % 2 === 0 ? 1 : 1 << 20).equals(type.toBuffer(value))).toBe(true);
    }
  });

  it('writes longs over the whole signed 64-bit range as avsc does', () => {
    const { write, type } = compiled('long');
    const random = generator(7);
    const values = [...LONGS];
    for (let k = 0; k < 2000; k++) {
      const bits = BigInt(random() % 64);
      values.push(BigInt.asIntN(64, ((BigInt(random()) << 32n) | BigInt(random())) >> bits));
    }
    for (const value of values) {
      expect(encodeCompiled(write, value).toString('hex'), String(value)).toBe(type.toBuffer(value).toString('hex'));
    }
  });

  it('writes ints, floats and strings as avsc does', () => {
    const ints = compiled('int');
    for (const value of INTS) expect(encodeCompiled(ints.write, value).equals(ints.type.toBuffer(value))).toBe(true);
    const floats = compiled('float');
    for (const value of [...DOUBLES, 3.4028235e38, 1e-46, 16777217]) expect(encodeCompiled(floats.write, value).equals(floats.type.toBuffer(value))).toBe(true);
    const strings = compiled('string');
    for (const value of STRINGS) expect(encodeCompiled(strings.write, value).equals(strings.type.toBuffer(value)), value).toBe(true);
  });

  it('writes unions whose branches are logical types (decimal on bytes, timestamp on long) as avsc does', () => {
    const { write, type } = compiled({
      type: 'array',
      items: ['null', { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 3 }, { type: 'long', logicalType: 'timestamp-micros' }, { type: 'map', values: 'float' }],
    });
    const value = [null, { bytes: { unscaled: -123456789n, scale: 3 } }, { long: -(2n ** 62n) }, { map: { a: 1.5, b: Number.NaN } }, { bytes: { unscaled: 0n, scale: 3 } }];
    expect(type.isValid(value)).toBe(true);
    expect(encodeCompiled(write, value).equals(type.toBuffer(value))).toBe(true);
    expect(() => encodeCompiled(write, [{ bytes: { unscaled: 1n, scale: 2 } }])).toThrow(NotCompiled);
  });

  it('refuses every value avsc finds invalid', () => {
    const { write, type } = compiled(EVERYTHING);
    const good = everything(1);
    const bad: Record<string, unknown>[] = [
      { small: 2147483648 }, { small: 1.5 }, { small: '1' }, { small: Number.NaN }, { big: 2n ** 63n }, { big: -(2n ** 63n) - 1n }, { big: 5 },
      { ratio: '1' }, { exact: 1n }, { name: 5 }, { name: null }, { blob: 'bytes' }, { blob: new Uint8Array(3) }, { id: Buffer.alloc(5) },
      { colour: 'PURPLE' }, { list: [1] }, { list: 'abc' }, { nulls: [undefined] }, { flag: 1 }, { nothing: undefined },
      { dict: [] }, { dict: null }, { dict: { a: 'not wrapped' } }, { dict: { a: { string: 1 } } }, { dict: { a: { string: 'x', int: 1 } } },
      { money: { unscaled: 1n, scale: 3 } }, { next: {} }, { next: { Everything: good } }, { inner: { x: 1, y: { long: 1n } } }, { inner: null },
      { inner: { x: 1 } }, { flag: undefined },
    ];
    for (const change of bad) {
      const value = { ...good, ...change };
      expect(type.isValid(value), JSON.stringify(Object.keys(change))).toBe(false);
      expect(() => encodeCompiled(write, value), JSON.stringify(Object.keys(change))).toThrow(NotCompiled);
    }
    expect(() => encodeCompiled(write, null)).toThrow(NotCompiled);
    expect(() => encodeCompiled(write, 'record')).toThrow(NotCompiled);
  });

  it('leaves to avsc what avsc writes differently from Node (lone surrogates), fields left undefined and inherited names', () => {
    const strings = compiled('string');
    for (const lone of ['\ud800', 'a\udc00b', `${'x'.repeat(100)}\ud83d`]) expect(() => encodeCompiled(strings.write, lone)).toThrow(NotCompiled);
    // avsc's enum lookup is a plain object: it takes "toString" for a symbol.
    const colours = compiled({ type: 'enum', name: 'C', symbols: ['RED'] });
    expect(() => encodeCompiled(colours.write, 'toString')).toThrow(NotCompiled);
    const withDefault = compiled({ type: 'record', name: 'D', fields: [{ name: 'n', type: 'int', default: 7 }] });
    expect(withDefault.type.isValid({})).toBe(true);
    expect(() => encodeCompiled(withDefault.write, {})).toThrow(NotCompiled);
  });

  it('compiles nothing for a schema with a type it does not know (avsc number longs)', () => {
    const type = avsc.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }] });
    expect(compileWriter(type)).toBeUndefined();
  });
});

describe('writer with the compiled encoder', () => {
  const SYNC = Buffer.alloc(16, 0x3c);
  const SCHEMA = {
    type: 'record', name: 'R',
    fields: [{ name: 'n', type: 'int' }, { name: 's', type: 'string' }, { name: 'o', type: ['null', 'string'] }, { name: 'd', type: 'int', default: 3 }],
  };

  it('writes records it refuses through avsc, in order, into the same blocks (missing fields, lone surrogates)', () => {
    const path = join(dir, 'mixed.avro');
    const writer = DataFileWriter.create(path, SCHEMA, { syncMarker: SYNC, blockSize: 100 });
    const values = Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? { n: i, s: `lone \ud800 ${i}` } : i % 5 === 0 ? { n: i, s: 'no o' } : { n: i, s: `s${i}`, o: { string: 'x' }, d: i }));
    for (const value of values) writer.append(value);
    writer.close();
    const records = readAll(path).records as { n: number; s: string; o: unknown; d: number }[];
    expect(records.map((r) => r.n)).toEqual(values.map((v) => v.n));
    // avsc writes a short string's lone surrogate as ED A0 80, which reads back as three U+FFFD.
    expect(records[0]).toMatchObject({ s: 'lone \ufffd\ufffd\ufffd 0', o: null, d: 3 });
    expect(records[5]).toMatchObject({ s: 'no o', o: null, d: 3 });
    expect(records[1]).toMatchObject({ s: 's1', o: { string: 'x' }, d: 1 });
  });

  it('still refuses a record that does not fit the schema, with avsc\'s description, and keeps the records before it', () => {
    const path = join(dir, 'refused.avro');
    const writer = DataFileWriter.create(path, SCHEMA, { syncMarker: SYNC });
    writer.append({ n: 1, s: 'one', o: null });
    let error: unknown;
    try {
      writer.append({ n: 'two', s: 'two', o: null });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).message).toMatch(/record 1 does not fit the schema: n = "two"/);
    writer.append({ n: 3, s: 'three', o: null });
    writer.close();
    expect((readAll(path).records as { n: number }[]).map((r) => r.n)).toEqual([1, 3]);
  });

  it('writes blocks whose bytes are the records as avsc encodes them', () => {
    const viaCompiler = join(dir, 'compiled.avro');
    const writer = DataFileWriter.create(viaCompiler, EVERYTHING, { syncMarker: SYNC, codec: 'null', blockSize: 3000 });
    const values = Array.from({ length: 40 }, (_, i) => everything(i));
    for (const value of values) writer.append(value);
    writer.close();
    const type = typeOf(EVERYTHING, 'writer') as unknown as AvscType;
    const expected = Buffer.concat(values.map((v) => type.toBuffer(v)));
    // The blocks' data, put together without their framing (counts, sizes, sync markers).
    const file = readFileSync(viaCompiler);
    let blocks = Buffer.alloc(0);
    const reader = readAll(viaCompiler);
    expect(reader.records).toHaveLength(40);
    let pos = file.indexOf(SYNC) + SYNC.length;
    while (pos < file.length) {
      const count = readVarint(file, pos);
      const size = readVarint(file, count.next);
      blocks = Buffer.concat([blocks, file.subarray(size.next, size.next + size.value)]);
      pos = size.next + size.value + SYNC.length;
    }
    expect(blocks.equals(expected)).toBe(true);
  });
});

function readVarint(buf: Buffer, pos: number): { value: number; next: number } {
  let z = 0;
  let scale = 1;
  for (;;) {
    const b = buf[pos++] as number;
    z += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) break;
  }
  return { value: z % 2 === 0 ? z / 2 : -(z + 1) / 2, next: pos };
}
