// Writes Avro object container files: a header (magic, metadata with avro.schema and avro.codec,
// a random 16-byte sync marker), then blocks of records, a block being flushed once its encoded
// records reach the block size. Appending reopens a file and writes more blocks with the file's
// own schema, codec and sync marker.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, writeSync, writevSync } from 'node:fs';
import { codecNamed, CODECS, type Codec } from './codecs.ts';
import { DataFileError } from './errors.ts';
import { encodeHeader, SYNC_SIZE } from './header.ts';
import { completeRecord } from './omitted.ts';
import { compileWriter, Sink, type WriteValue } from './encoder.ts';
import { DataFileReader } from './reader.ts';
import { typeOf, type AvroType } from './schema.ts';
import { longBytes } from './varint.ts';

/** Avro's usual sync interval: a block is written once its records take this many bytes. */
export const DEFAULT_BLOCK_SIZE = 64_000;

export interface WriterOptions {
  readonly codec?: string;
  /** Bytes of encoded records after which a block is written (before compression). */
  readonly blockSize?: number;
  /** User metadata; keys starting with "avro." are reserved. */
  readonly metadata?: Readonly<Record<string, string | Buffer>>;
  /** A fixed sync marker (tests); default 16 random bytes. */
  readonly syncMarker?: Buffer;
  /** Check each value against the schema before encoding it (default true). */
  readonly validate?: boolean;
  readonly codecs?: Readonly<Record<string, Codec>>;
}

interface Encodable {
  encode(value: unknown, buf: Buffer, pos: number): number;
  isValid(value: unknown, options?: { errorHook?: (path: string[], value: unknown) => void }): boolean;
}

export class DataFileWriter {
  readonly type: AvroType;
  readonly codec: Codec;
  readonly sync: Buffer;
  readonly blockSize: number;
  private readonly fd: number;
  private readonly validate: boolean;
  /** The compiled encoder (encoder.ts); undefined when the schema has a part it does not know. */
  private readonly encode: WriteValue | undefined;
  /** The block being filled: records encoded so far in sink.buf[0, sink.pos). */
  private readonly sink: Sink;
  private count = 0;
  private closed = false;
  private written: number;

  private constructor(fd: number, type: AvroType, codec: Codec, sync: Buffer, options: WriterOptions, position: number) {
    this.fd = fd;
    this.type = type;
    this.codec = codec;
    this.sync = sync;
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isInteger(this.blockSize) || this.blockSize < 1) throw new DataFileError('usage', `block size must be a positive integer, got ${this.blockSize}`);
    this.validate = options.validate ?? true;
    this.encode = compileWriter(type);
    this.sink = new Sink(Math.min(Math.max(this.blockSize * 2, 1024), 64 * 1024 * 1024));
    this.written = position;
  }

  /** Creates (or truncates) path and writes the header. */
  static create(path: string, schema: unknown, options: WriterOptions = {}): DataFileWriter {
    const type = typeOf(schema, 'writer');
    const codec = codecNamed(options.codec ?? 'null', options.codecs ?? CODECS);
    const sync = options.syncMarker ?? randomBytes(SYNC_SIZE);
    if (sync.length !== SYNC_SIZE) throw new DataFileError('usage', `a sync marker has ${SYNC_SIZE} bytes, got ${sync.length}`);
    const metadata = new Map<string, Buffer>([
      ['avro.schema', Buffer.from(JSON.stringify(schema), 'utf8')],
      ['avro.codec', Buffer.from(codec.name, 'utf8')],
    ]);
    for (const [key, value] of Object.entries(options.metadata ?? {})) {
      if (key.startsWith('avro.')) throw new DataFileError('usage', `metadata key "${key}" is reserved for Avro`);
      metadata.set(key, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    }
    const fd = openSync(path, 'w');
    const header = encodeHeader(metadata, sync);
    writeSync(fd, header, 0, header.length, 0);
    return new DataFileWriter(fd, type, codec, sync, options, header.length);
  }

  /**
   * Opens an existing file to add records: its header gives the schema, codec and sync marker
   * (options.codec, if given, must agree). New blocks go after the file's last byte.
   */
  static appendTo(path: string, options: Omit<WriterOptions, 'syncMarker' | 'metadata'> = {}): DataFileWriter {
    const existing = DataFileReader.open(path, { codecs: options.codecs });
    const { schema, codec: codecName, sync } = existing.header;
    existing.close();
    if (options.codec !== undefined && options.codec !== codecName) {
      throw new DataFileError('usage', `cannot append with codec ${options.codec} to a file written with ${codecName}`);
    }
    const fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    return new DataFileWriter(fd, typeOf(schema, 'writer'), codecNamed(codecName, options.codecs ?? CODECS), sync, options, size);
  }

  append(value: unknown): void {
    if (this.closed) throw new DataFileError('usage', 'append after close');
    const sink = this.sink;
    const start = sink.pos;
    let encoded = false;
    if (this.encode !== undefined) {
      // The compiled encoder checks each value as it writes it; whatever it refuses (or anything
      // that throws inside it) is written again from the record's start the generic way below.
      try {
        this.encode(sink, value);
        encoded = true;
      } catch {
        sink.pos = start;
      }
    }
    if (!encoded) this.appendGeneric(value);
    this.count++;
    if (sink.pos >= this.blockSize) this.flush();
  }

  /** avsc's way: absent fields completed, the value checked against the schema, then encoded. */
  private appendGeneric(value: unknown): void {
    const complete = completeRecord(this.type, value);
    const type = this.type as unknown as Encodable;
    if (this.validate) {
      const problems: string[] = [];
      if (!type.isValid(complete, { errorHook: (path, bad) => problems.push(`${path.join('.') || '(value)'} = ${describe(bad)}`) })) {
        throw new DataFileError('usage', `record ${this.count} does not fit the schema: ${problems.slice(0, 3).join('; ')}`);
      }
    }
    const sink = this.sink;
    for (;;) {
      const end = type.encode(complete, sink.buf, sink.pos);
      if (end >= 0) {
        sink.pos = end;
        return;
      }
      // avsc returns buf.length minus the position it would have reached.
      sink.grow(sink.buf.length - end - sink.pos);
    }
  }

  /** Writes the buffered records as one block (nothing when there are none). */
  flush(): void {
    if (this.count === 0) return;
    // Written out before anything else runs: a codec's transient result will do.
    const block = this.sink.buf.subarray(0, this.sink.pos);
    const data = this.codec.compressTransient ? this.codec.compressTransient(block) : this.codec.compress(block);
    const head = Buffer.concat([longBytes(this.count), longBytes(data.length)]);
    // Count and size, data and sync marker in one system call.
    const parts = [head, data, this.sync];
    const total = head.length + data.length + this.sync.length;
    const done = writevSync(this.fd, parts, this.written);
    if (done < total) this.writeRest(Buffer.concat(parts).subarray(done), this.written + done);
    this.written += total;
    this.sink.pos = 0;
    this.count = 0;
  }

  /** What a short write left, written until done. */
  private writeRest(rest: Buffer, position: number): void {
    let done = 0;
    while (done < rest.length) {
      done += writeSync(this.fd, rest, done, rest.length - done, position + done);
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
