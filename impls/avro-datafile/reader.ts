// Reads Avro object container files: header, then blocks of (count, size, data, sync), each block
// decompressed with the header's codec and decoded record by record with avsc, optionally into a
// reader's schema. Bad files fail with a DataFileError naming what and where; every length and
// count is checked against limits before it is used, so no file makes the reader hang or allocate
// without bound.
import { compileReader, Cursor, RECORD_ITEM_BUDGET, RecordTruncated, type ReadValue } from './decoder.ts';
import { DataFileError } from './errors.ts';
import { codecNamed, CODECS, type Codec } from './codecs.ts';
import { readHeader, SYNC_SIZE, type Header } from './header.ts';
import { reusedRoom, type Room } from './room.ts';
import { readPlan, type AvroType } from './schema.ts';
import { ByteSource } from './source.ts';

export interface ReaderLimits {
  /** Largest block (as stored, compressed) accepted. */
  readonly maxBlockBytes: number;
  /** Largest record count one block may declare. */
  readonly maxBlockCount: number;
  /** Largest block after decompression. */
  readonly maxUncompressedBytes: number;
  /** Largest header (magic, metadata, sync). */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: ReaderLimits = Object.freeze({
  maxBlockBytes: 64 * 1024 * 1024,
  maxBlockCount: 10_000_000,
  maxUncompressedBytes: 256 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024 * 1024,
});

export interface ReaderOptions {
  /** Read records into this schema (Avro schema resolution); default: the writer's schema. */
  readonly readerSchema?: unknown;
  readonly limits?: Partial<ReaderLimits>;
  readonly codecs?: Readonly<Record<string, Codec>>;
}

interface Decodable {
  decode(buf: Buffer, pos: number, resolver?: unknown): { value: unknown; offset: number };
}

export class DataFileReader {
  readonly header: Header;
  readonly writerType: AvroType;
  readonly readerType: AvroType;
  readonly limits: ReaderLimits;
  private readonly source: ByteSource;
  private readonly codec: Codec;
  private readonly resolver: unknown;
  private blockIndex = 0;
  /** The previous block's uncompressed size: the codec's guess for the next one. */
  private lastBlockBytes: number | undefined;
  /** Where the record loops' blocks are decompressed, reused block after block (room.ts). */
  private readonly room: Room = reusedRoom();

  private constructor(source: ByteSource, options: ReaderOptions) {
    this.source = source;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    try {
      this.header = readHeader(source, this.limits);
      this.codec = codecNamed(this.header.codec, options.codecs ?? CODECS);
      const plan = readPlan(this.header.schema, options.readerSchema);
      this.writerType = plan.writerType;
      this.readerType = plan.readerType;
      this.resolver = plan.resolver;
    } catch (error) {
      source.close();
      throw error;
    }
  }

  static open(path: string, options: ReaderOptions = {}): DataFileReader {
    return new DataFileReader(ByteSource.ofFile(path), options);
  }

  static fromBuffer(data: Buffer, options: ReaderOptions = {}): DataFileReader {
    return new DataFileReader(ByteSource.ofBuffer(data), options);
  }

  /** Number of blocks read so far. */
  get blocksRead(): number {
    return this.blockIndex;
  }

  /** The next block's decompressed data and declared count, or undefined at the end of the file. */
  nextBlock(): { count: number; data: Buffer; offset: number } | undefined {
    return this.readBlock(true);
  }

  /**
   * Reads the next block. With the null codec the data is the source's own view, valid only until
   * the source reads again, and with a codec that decompresses into the reader's room it is valid
   * only until the next block: `ownData` gives a buffer of the block's own. The record loops below
   * decode a block completely (copying every bytes and fixed value) before they read the next, so
   * they need neither copy.
   */
  private readBlock(ownData: boolean): { count: number; data: Buffer; offset: number } | undefined {
    const source = this.source;
    if (source.atEnd()) return undefined;
    const offset = source.offset;
    const block = this.blockIndex;
    const where = `block ${block} (offset ${offset})`;
    const count = source.readLong(`the record count of ${where}`, 'bad-block');
    if (count < 0n) throw new DataFileError('bad-block', `${where} declares a negative record count ${count}`);
    if (count > BigInt(this.limits.maxBlockCount)) throw new DataFileError('limit', `${where} declares ${count} records, beyond the limit of ${this.limits.maxBlockCount}`);
    const size = source.readLong(`the byte size of ${where}`, 'bad-block');
    if (size < 0n) throw new DataFileError('bad-block', `${where} declares a negative size ${size}`);
    if (size > BigInt(this.limits.maxBlockBytes)) throw new DataFileError('limit', `${where} declares ${size} bytes, beyond the limit of ${this.limits.maxBlockBytes}`);
    const n = Number(size);
    // Data and sync marker in one read, so that the data stays a valid view while the marker is
    // checked; when the file is shorter, two reads name the part that is missing.
    let stored: Buffer;
    let sync: Buffer;
    const both = source.tryRead(n + SYNC_SIZE);
    if (both) {
      stored = both.subarray(0, n);
      sync = both.subarray(n);
    } else {
      // A copy: the source's view is only valid until its next read (the sync marker below).
      stored = Buffer.from(source.read(n, `the data of ${where} (${size} bytes declared)`));
      sync = source.read(SYNC_SIZE, `the sync marker after ${where}`);
    }
    if (!sync.equals(this.header.sync)) {
      throw new DataFileError('bad-sync', `${where}: sync marker ${sync.toString('hex')} differs from the header's ${this.header.sync.toString('hex')} (corrupt or misaligned block)`);
    }
    let data: Buffer;
    if (this.codec.name === 'null') {
      if (stored.length > this.limits.maxUncompressedBytes) throw new DataFileError('limit', `${where} holds ${stored.length} bytes, beyond the limit of ${this.limits.maxUncompressedBytes}`);
      data = stored;
    } else {
      data = this.decompress(stored, where, ownData ? undefined : this.room);
    }
    // The null codec (or a caller's codec) may give back a view of the source's buffer.
    if (ownData && data.buffer === stored.buffer) data = Buffer.from(data);
    this.blockIndex++;
    return { count: Number(count), data, offset };
  }

  private decompress(data: Buffer, where: string, room: Room | undefined): Buffer {
    try {
      const codec = this.codec;
      const max = this.limits.maxUncompressedBytes;
      const out = room && codec.decompressInto ? codec.decompressInto(data, max, room, this.lastBlockBytes) : codec.decompress(data, max, this.lastBlockBytes);
      this.lastBlockBytes = out.length;
      return out;
    } catch (error) {
      if (error instanceof DataFileError) throw new DataFileError(error.kind, `${where}: ${error.message.replace(/^[a-z-]+: /, '')}`, { cause: error });
      throw error;
    }
  }

  /** Every record of the file, in order. */
  records(): IterableIterator<unknown> {
    if (this.resolver !== undefined) return this.resolvedRecords();
    return new CompiledRecords(() => this.readBlock(false), (offset) => this.where(offset), compileReader(this.writerType));
  }

  private where(offset: number): string {
    return `block ${this.blockIndex - 1} (offset ${offset})`;
  }

  /** Reading into a reader's schema: avsc's resolving decoder. */
  private *resolvedRecords(): Generator<unknown, void, undefined> {
    const type = this.readerType as unknown as Decodable;
    for (let block = this.readBlock(false); block; block = this.readBlock(false)) {
      const { count, data } = block;
      const where = `block ${this.blockIndex - 1} (offset ${block.offset})`;
      let pos = 0;
      for (let i = 0; i < count; i++) {
        if (pos >= data.length && data.length > 0) {
          throw new DataFileError('bad-block', `${where} declares ${count} records but its ${data.length} bytes hold only ${i}`);
        }
        let decoded: { value: unknown; offset: number };
        try {
          decoded = type.decode(data, pos, this.resolver);
        } catch (error) {
          throw new DataFileError('bad-data', `${where}, record ${i}: does not decode: ${(error as Error).message}`, { cause: error });
        }
        if (decoded.offset < 0) {
          throw new DataFileError('bad-block', `${where} declares ${count} records but its ${data.length} bytes end inside record ${i}`);
        }
        pos = decoded.offset;
        yield decoded.value;
      }
      if (pos !== data.length) {
        throw new DataFileError('bad-block', `${where} declares ${count} records but ${data.length - pos} of its ${data.length} bytes are left after them`);
      }
    }
  }

  close(): void {
    this.source.close();
  }
}

interface Block {
  readonly count: number;
  readonly data: Buffer;
  readonly offset: number;
}

/**
 * Reading with the writer's schema: the compiled decoder (decoder.ts), one record per next(). An
 * iterator object rather than a generator, whose resumption per record cost 5-10% of a read
 * (records per CPU-second, iterator / generator, median of 20-40 alternating rounds in one
 * process: null 1.05-1.15, snappy 1.03-1.07, zstandard 1.08-1.10). It behaves as the generator
 * did: a block's records are decoded one by one as they are asked for, every count and length is
 * checked as before, and after an error or return() it is done.
 */
class CompiledRecords implements IterableIterator<unknown> {
  private block: Block | undefined;
  private cursor: Cursor | undefined;
  /** Records of the current block decoded so far. */
  private index = 0;
  private finished = false;
  private readonly nextBlock: () => Block | undefined;
  private readonly where: (offset: number) => string;
  private readonly read: ReadValue;

  constructor(nextBlock: () => Block | undefined, where: (offset: number) => string, read: ReadValue) {
    this.nextBlock = nextBlock;
    this.where = where;
    this.read = read;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<unknown> {
    if (this.finished) return { value: undefined, done: true };
    try {
      let block = this.block;
      let cursor = this.cursor;
      while (block === undefined || cursor === undefined || this.index === block.count) {
        if (block !== undefined && cursor !== undefined && cursor.pos !== block.data.length) {
          const { count, data } = block;
          throw new DataFileError('bad-block', `${this.where(block.offset)} declares ${count} records but ${data.length - cursor.pos} of its ${data.length} bytes are left after them`);
        }
        block = this.nextBlock();
        if (block === undefined) {
          this.finished = true;
          return { value: undefined, done: true };
        }
        cursor = new Cursor(block.data);
        this.block = block;
        this.cursor = cursor;
        this.index = 0;
      }
      const { count, data } = block;
      const i = this.index;
      if (cursor.pos >= data.length && data.length > 0) {
        throw new DataFileError('bad-block', `${this.where(block.offset)} declares ${count} records but its ${data.length} bytes hold only ${i}`);
      }
      cursor.itemsLeft = RECORD_ITEM_BUDGET;
      let value: unknown;
      try {
        value = this.read(cursor);
      } catch (error) {
        if (error instanceof RecordTruncated) {
          throw new DataFileError('bad-block', `${this.where(block.offset)} declares ${count} records but its ${data.length} bytes end inside record ${i}`, { cause: error });
        }
        throw new DataFileError('bad-data', `${this.where(block.offset)}, record ${i}: does not decode: ${(error as Error).message}`, { cause: error });
      }
      this.index = i + 1;
      return { value, done: false };
    } catch (error) {
      this.finished = true;
      throw error;
    }
  }

  return(): IteratorResult<unknown> {
    this.finished = true;
    return { value: undefined, done: true };
  }
}

/** Reads a whole file into an array (tests and small files). */
export function readAll(path: string, options: ReaderOptions = {}): { header: Header; records: unknown[] } {
  const reader = DataFileReader.open(path, options);
  try {
    return { header: reader.header, records: [...reader.records()] };
  } finally {
    reader.close();
  }
}
