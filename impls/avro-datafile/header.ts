// The container header: magic "Obj" 0x01, the metadata map (string -> bytes; avro.schema,
// avro.codec and user entries) and the 16-byte sync marker.
import { DataFileError } from './errors.ts';
import type { ByteSource } from './source.ts';
import { writeLong } from './varint.ts';

export const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
export const SYNC_SIZE = 16;

export interface Header {
  /** The writer's schema, as JSON. */
  readonly schema: unknown;
  readonly codec: string;
  /** Every metadata entry, avro.* included, in file order. */
  readonly metadata: ReadonlyMap<string, Buffer>;
  readonly sync: Buffer;
  /** File offset of the first block. */
  readonly length: number;
}

export interface HeaderLimits {
  readonly maxHeaderBytes: number;
}

export function encodeHeader(metadata: ReadonlyMap<string, Buffer>, sync: Buffer): Buffer {
  const parts: Buffer[] = [MAGIC];
  const numbers: number[] = [];
  if (metadata.size > 0) {
    writeLong(numbers, metadata.size);
    parts.push(Buffer.from(numbers.splice(0)));
    for (const [key, value] of metadata) {
      const keyBytes = Buffer.from(key, 'utf8');
      writeLong(numbers, keyBytes.length);
      parts.push(Buffer.from(numbers.splice(0)), keyBytes);
      writeLong(numbers, value.length);
      parts.push(Buffer.from(numbers.splice(0)), value);
    }
  }
  parts.push(Buffer.from([0]), sync);
  return Buffer.concat(parts);
}

function boundedLength(source: ByteSource, what: string, remaining: number): number {
  const n = source.readLong(what, 'bad-header');
  if (n < 0n) throw new DataFileError('bad-header', `${what} is negative (${n}) at offset ${source.offset}`);
  if (n > BigInt(remaining)) throw new DataFileError('limit', `${what} of ${n} bytes exceeds the header limit (${remaining} bytes left)`);
  return Number(n);
}

export function readHeader(source: ByteSource, limits: HeaderLimits): Header {
  let magic: Buffer;
  try {
    magic = source.read(4, 'the magic bytes');
  } catch {
    throw new DataFileError('bad-magic', 'not an Avro data file: shorter than the 4 magic bytes');
  }
  if (!magic.equals(MAGIC)) {
    throw new DataFileError('bad-magic', `not an Avro data file: starts with ${magic.toString('hex')}, expected ${MAGIC.toString('hex')} ("Obj" 0x01)`);
  }
  const metadata = new Map<string, Buffer>();
  const budget = (): number => limits.maxHeaderBytes - source.offset;
  for (;;) {
    let count = source.readLong('the metadata block count', 'bad-header');
    if (count === 0n) break;
    if (count < 0n) {
      count = -count;
      boundedLength(source, 'the metadata block size', budget());
    }
    // Each entry takes at least two bytes, so a count beyond the budget is a lie.
    if (count > BigInt(budget())) throw new DataFileError('limit', `metadata block declares ${count} entries, beyond the header limit of ${limits.maxHeaderBytes} bytes`);
    for (let i = 0n; i < count; i++) {
      const key = source.read(boundedLength(source, 'a metadata key length', budget()), 'a metadata key').toString('utf8');
      const value = Buffer.from(source.read(boundedLength(source, `metadata value "${key}" length`, budget()), `metadata value "${key}"`));
      metadata.set(key, value);
    }
  }
  const sync = Buffer.from(source.read(SYNC_SIZE, 'the header sync marker'));
  const schemaBytes = metadata.get('avro.schema');
  if (!schemaBytes) throw new DataFileError('bad-header', 'metadata has no avro.schema');
  let schema: unknown;
  try {
    schema = JSON.parse(schemaBytes.toString('utf8'));
  } catch (error) {
    throw new DataFileError('bad-header', `avro.schema is not JSON: ${(error as Error).message}`);
  }
  const codec = metadata.get('avro.codec')?.toString('utf8') ?? 'null';
  return { schema, codec: codec === '' ? 'null' : codec, metadata, sync, length: source.offset };
}
