// Bad files, made from a good file of ours by damaging one thing each. Every reader must refuse
// them with an error (ours: of the named kind); none may hang or hand back records silently.
import { readFileSync, writeFileSync } from 'node:fs';
import { DataFileWriter, MAGIC, SYNC_SIZE } from '../../impls/avro-datafile/index.ts';
import { longBytes } from '../../impls/avro-datafile/varint.ts';
import { readLongAt } from '../../impls/avro-datafile/varint.ts';
import type { DataFileErrorKind } from '../../impls/avro-datafile/index.ts';

export interface BadFile {
  readonly id: string;
  /** The error kind our reader must give. */
  readonly kind: DataFileErrorKind;
  readonly what: string;
}

export const BAD_FILES: readonly BadFile[] = [
  { id: 'truncated', kind: 'truncated', what: 'the file cut in the middle of its second block' },
  { id: 'corrupted-sync', kind: 'bad-sync', what: "one byte of the first block's trailing sync marker flipped" },
  { id: 'wrong-magic', kind: 'bad-magic', what: 'magic "Obj" 0x02 instead of 0x01' },
  { id: 'unknown-codec', kind: 'unknown-codec', what: 'avro.codec "lzma-conformance" (same length as no known codec)' },
  { id: 'count-too-high', kind: 'bad-block', what: 'the first block declares one record more than it holds' },
  { id: 'count-too-low', kind: 'bad-block', what: 'the first block declares one record fewer than it holds' },
];

export const BAD_SCHEMA = { type: 'record', name: 'Entry', namespace: 'org.conformance.datafile', fields: [{ name: 'n', type: 'long' }, { name: 'text', type: 'string' }] };
const SYNC = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** Offsets of the first blocks: [count start, data start, data end (= sync start)]. */
function blocks(file: Buffer, headerLength: number): { countAt: number; dataAt: number; syncAt: number }[] {
  const out: { countAt: number; dataAt: number; syncAt: number }[] = [];
  let pos = headerLength;
  while (pos < file.length) {
    const count = readLongAt(file, pos);
    if (!count.ok) break;
    const size = readLongAt(file, pos + count.length);
    if (!size.ok) break;
    const dataAt = pos + count.length + size.length;
    out.push({ countAt: pos, dataAt, syncAt: dataAt + Number(size.value) });
    pos = dataAt + Number(size.value) + SYNC_SIZE;
  }
  return out;
}

function replaceCount(file: Buffer, at: number, delta: number): Buffer {
  const count = readLongAt(file, at);
  if (!count.ok) throw new Error('bad-files: no count');
  return Buffer.concat([file.subarray(0, at), longBytes(Number(count.value) + delta), file.subarray(at + count.length)]);
}

/** Writes the bad files for one codec into dir; returns id -> path. */
export function writeBadFiles(dir: string, codec: string): Map<string, string> {
  const goodPath = `${dir}/good.avro`;
  const writer = DataFileWriter.create(goodPath, BAD_SCHEMA, { codec, blockSize: 200, syncMarker: SYNC });
  for (let n = 0; n < 40; n++) writer.append({ n: BigInt(n), text: `entry number ${n}` });
  writer.close();
  const good = readFileSync(goodPath);
  const headerLength = good.indexOf(SYNC) + SYNC_SIZE;
  const [first, second] = blocks(good, headerLength);
  if (!first || !second) throw new Error('bad-files: the good file needs two blocks');
  const paths = new Map<string, string>();
  const put = (id: string, data: Buffer): void => {
    const path = `${dir}/${id}.avro`;
    writeFileSync(path, data);
    paths.set(id, path);
  };
  put('truncated', good.subarray(0, second.dataAt + Math.floor((second.syncAt - second.dataAt) / 2)));
  const corrupted = Buffer.from(good);
  corrupted[first.syncAt + 7] = (corrupted[first.syncAt + 7] as number) ^ 0xff;
  put('corrupted-sync', corrupted);
  put('wrong-magic', Buffer.concat([MAGIC.subarray(0, 3), Buffer.from([2]), good.subarray(4)]));
  // Codec names of equal length keep every offset; the header holds avro.codec's bytes once.
  const codecAt = good.indexOf(Buffer.from(codec, 'utf8'), good.indexOf('avro.codec'));
  const unknown = Buffer.from(good);
  const replacement = Buffer.from('lzma-conformance'.slice(0, codec.length).padEnd(codec.length, '_'));
  replacement.copy(unknown, codecAt);
  put('unknown-codec', unknown);
  put('count-too-high', replaceCount(good, first.countAt, +1));
  put('count-too-low', replaceCount(good, first.countAt, -1));
  return paths;
}
