// Unit checks of the container format pieces that the cross-language suite cannot aim at
// precisely: snappy round trips, limits against hostile counts and sizes, appends.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODECS, DataFileError, DataFileReader, DataFileWriter, readAll, type Codec } from './index.ts';
import { snappyCompress, snappyDecompress } from './snappy.ts';
import { longBytes } from './varint.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';

const dir = scratchDirectory('avro-datafile-');
const SCHEMA = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }, { name: 's', type: 'string' }] };
const SYNC = Buffer.alloc(16, 0xab);

function kindOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof DataFileError ? error.kind : `not a DataFileError: ${String(error)}`;
  }
  return 'no error';
}

describe('snappy', () => {
  it('round-trips random, repetitive and empty data', () => {
    const random = Buffer.alloc(200_000);
    for (let i = 0; i < random.length; i++) random[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
    const repetitive = Buffer.from('abcabcabcabd'.repeat(20_000));
    for (const data of [random, repetitive, Buffer.alloc(0), Buffer.from('x')]) {
      expect(snappyDecompress(snappyCompress(data), data.length).equals(data)).toBe(true);
    }
    expect(snappyCompress(repetitive).length).toBeLessThan(repetitive.length / 10);
  });

  it('refuses a declared length beyond the limit before allocating', () => {
    expect(() => snappyDecompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 1 << 20)).toThrow(/limit/);
  });
});

describe('data files', () => {
  const path = join(dir, 'good.avro');
  const writer = DataFileWriter.create(path, SCHEMA, { codec: 'deflate', blockSize: 30, syncMarker: SYNC });
  for (let n = 0; n < 10; n++) writer.append({ n: BigInt(n), s: `record ${n}` });
  writer.close();

  it('appends with the file\'s own schema, codec and sync marker', () => {
    const copy = join(dir, 'appended.avro');
    writeFileSync(copy, readFileSync(path));
    const more = DataFileWriter.appendTo(copy);
    expect(more.codec.name).toBe('deflate');
    expect(more.sync.equals(SYNC)).toBe(true);
    more.append({ n: 10n, s: 'record 10' });
    more.close();
    const { records } = readAll(copy);
    expect(records).toHaveLength(11);
    expect((records[10] as { n: bigint }).n).toBe(10n);
  });

  it('refuses a block count beyond the limit and a size beyond the limit, without reading them', () => {
    const header = readFileSync(path).subarray(0, readFileSync(path).indexOf(SYNC) + 16);
    const hugeCount = Buffer.concat([header, longBytes(2 ** 52), longBytes(4), Buffer.alloc(4), SYNC]);
    writeFileSync(join(dir, 'count.avro'), hugeCount);
    expect(kindOf(() => readAll(join(dir, 'count.avro')))).toBe('limit');
    writeFileSync(join(dir, 'size.avro'), Buffer.concat([header, longBytes(1), longBytes(2 ** 50)]));
    expect(kindOf(() => readAll(join(dir, 'size.avro')))).toBe('limit');
    writeFileSync(join(dir, 'negative.avro'), Buffer.concat([header, longBytes(-1), longBytes(4)]));
    expect(kindOf(() => readAll(join(dir, 'negative.avro')))).toBe('bad-block');
  });

  it('refuses a block that inflates beyond the uncompressed limit', () => {
    const big = join(dir, 'big.avro');
    const w = DataFileWriter.create(big, SCHEMA, { codec: 'deflate', blockSize: 1 << 20 });
    w.append({ n: 1n, s: 'z'.repeat(1 << 20) });
    w.close();
    expect(kindOf(() => readAll(big, { limits: { maxUncompressedBytes: 1 << 16 } }))).toBe('limit');
  });

  it('refuses a block beyond the limit after smaller ones (whose size sizes the codec\'s output), for deflate and zstandard', () => {
    for (const codec of ['deflate', 'zstandard']) {
      const path = join(dir, `growing-${codec}.avro`);
      const w = DataFileWriter.create(path, SCHEMA, { codec, blockSize: 1 });
      w.append({ n: 1n, s: 'small' });
      w.append({ n: 2n, s: 'y'.repeat(40_000) });
      w.append({ n: 3n, s: 'z'.repeat(1 << 18) });
      w.close();
      expect(readAll(path).records).toHaveLength(3);
      expect(kindOf(() => readAll(path, { limits: { maxUncompressedBytes: 1 << 17 } }))).toBe('limit');
    }
  });

  it('reads a file given as a buffer, and says where a header is cut', () => {
    const data = readFileSync(path);
    const reader = DataFileReader.fromBuffer(data);
    expect([...reader.records()]).toHaveLength(10);
    expect(kindOf(() => DataFileReader.fromBuffer(data.subarray(0, 20)))).toBe('truncated');
  });
});

describe('blocks decompressed into each reader\'s reused buffer', () => {
  const BYTES = { type: 'record', name: 'B', fields: [{ name: 'n', type: 'long' }, { name: 'b', type: 'bytes' }, { name: 's', type: 'string' }] };
  /** A file of many small blocks whose values differ block to block. */
  function fileWith(codec: string, tag: string): { path: string; values: { n: bigint; b: Buffer; s: string }[] } {
    const path = join(dir, `reused-${codec}-${tag}.avro`);
    const w = DataFileWriter.create(path, BYTES, { codec, blockSize: 200 });
    const values = Array.from({ length: 60 }, (_, i) => ({ n: BigInt(i), b: Buffer.alloc(20 + (i % 7), `${tag}${i}`), s: `${tag} value ${i}` }));
    for (const value of values) w.append(value);
    w.close();
    return { path, values };
  }

  it('records() decompresses every block into the reader\'s room; nextBlock() takes the codec\'s own buffer', () => {
    const { path } = fileWith('zstandard', 'w');
    const calls = { into: 0, own: 0 };
    const zstandard = CODECS['zstandard'] as Codec;
    const counting: Codec = {
      name: 'zstandard',
      compress: zstandard.compress,
      decompress: (data, max, hint) => { calls.own++; return zstandard.decompress(data, max, hint); },
      decompressInto: (data, max, room, hint) => { calls.into++; return (zstandard.decompressInto as NonNullable<Codec['decompressInto']>)(data, max, room, hint); },
    };
    const reader = DataFileReader.open(path, { codecs: { zstandard: counting } });
    expect([...reader.records()]).toHaveLength(60);
    expect(calls).toEqual({ into: reader.blocksRead, own: 0 });
    reader.close();
    const blocks = DataFileReader.open(path, { codecs: { zstandard: counting } });
    while (blocks.nextBlock()) { /* every block */ }
    expect(calls.own).toBe(blocks.blocksRead);
    blocks.close();
    // Every codec that decompresses has the reused path.
    for (const name of ['deflate', 'snappy', 'zstandard']) expect(typeof CODECS[name]?.decompressInto, name).toBe('function');
  });

  for (const codec of ['deflate', 'snappy', 'zstandard']) {
    it(`${codec}: two readers read in turn keep their own values (the bytes are copies, each reader has its own buffer)`, () => {
      const a = fileWith(codec, 'a');
      const b = fileWith(codec, 'b');
      const readerA = DataFileReader.open(a.path);
      const readerB = DataFileReader.open(b.path);
      const fromA: unknown[] = [];
      const fromB: unknown[] = [];
      const itA = readerA.records();
      const itB = readerB.records();
      for (let i = 0; i < 60; i++) {
        fromA.push(itA.next().value);
        fromB.push(itB.next().value);
      }
      readerA.close();
      readerB.close();
      expect(readerA.blocksRead).toBeGreaterThan(5);
      expect(fromA).toEqual(a.values);
      expect(fromB).toEqual(b.values);
    });

    it(`${codec}: nextBlock() gives each block's data of its own, not the reused buffer`, () => {
      const { path } = fileWith(codec, 'c');
      const reader = DataFileReader.open(path);
      const blocks: Buffer[] = [];
      const copies: Buffer[] = [];
      for (let block = reader.nextBlock(); block; block = reader.nextBlock()) {
        blocks.push(block.data);
        copies.push(Buffer.from(block.data));
      }
      reader.close();
      expect(blocks.length).toBeGreaterThan(5);
      for (const [i, data] of blocks.entries()) expect(data.equals(copies[i] as Buffer), `block ${i}`).toBe(true);
    });
  }
});

describe('a reader schema with a union', () => {
  it('reads bytes written on a ["string", "bytes"] union back as bytes, not as a string (the same-type branch first)', () => {
    const path = join(dir, 'union.avro');
    const schema = { type: 'record', name: 'R', fields: [{ name: 'u', type: ['string', 'bytes'] }] };
    const writer = DataFileWriter.create(path, schema, {});
    writer.append({ u: { bytes: Buffer.from('hi') } });
    writer.append({ u: { string: 'text' } });
    writer.close();
    const records = readAll(path, { readerSchema: schema }).records as { u: Record<string, unknown> }[];
    expect(records.map((r) => ({ ...r.u }))).toEqual([{ bytes: Buffer.from('hi') }, { string: 'text' }]);
  });
});
