// Sequential, buffered reading of a file (or an in-memory buffer) for the container reader.
// Reads only what it is asked for: a caller checks a length against its limits before asking,
// so a hostile length never turns into an allocation here.
import { closeSync, openSync, readSync } from 'node:fs';
import { DataFileError } from './errors.ts';
import { readLongAt } from './varint.ts';

const CHUNK = 1 << 20;

export class ByteSource {
  private buf: Buffer;
  private start = 0;      // first unread byte in buf
  private end = 0;        // one past the last valid byte in buf
  private consumed = 0;   // file offset of buf[0]
  private eof = false;
  private readonly fd: number | undefined;

  private constructor(fd: number | undefined, initial: Buffer) {
    this.fd = fd;
    this.buf = initial;
    if (fd === undefined) {
      this.end = initial.length;
      this.eof = true;
    }
  }

  static ofFile(path: string): ByteSource {
    return new ByteSource(openSync(path, 'r'), Buffer.allocUnsafe(CHUNK));
  }

  static ofBuffer(data: Buffer): ByteSource {
    return new ByteSource(undefined, data);
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.consumed + this.start;
  }

  /** Makes n bytes available; false when the input ends first. */
  private fill(n: number): boolean {
    while (this.end - this.start < n) {
      if (this.eof || this.fd === undefined) return false;
      if (this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end);
        this.consumed += this.start;
        this.end -= this.start;
        this.start = 0;
      }
      if (this.buf.length < n) {
        const bigger = Buffer.allocUnsafe(Math.max(n, CHUNK));
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) this.eof = true;
      this.end += got;
    }
    return true;
  }

  atEnd(): boolean {
    return !this.fill(1);
  }

  /** Reads exactly n bytes (a view valid until the next read) or throws "truncated" naming what. */
  read(n: number, what: string): Buffer {
    if (!this.fill(n)) {
      throw new DataFileError('truncated', `file ends inside ${what}: needed ${n} bytes at offset ${this.offset}, ${this.end - this.start} left`);
    }
    const view = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    return view;
  }

  /** Reads exactly n bytes (a view valid until the next read), or nothing when the input ends first. */
  tryRead(n: number): Buffer | undefined {
    if (!this.fill(n)) return undefined;
    const view = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    return view;
  }

  /** Reads a zig-zag long of the container framing; throws "truncated" or "bad-header"/"bad-block". */
  readLong(what: string, malformed: 'bad-header' | 'bad-block'): bigint {
    this.fill(10);
    const read = readLongAt(this.buf, this.start, this.end);
    if (!read.ok) {
      if (read.reason === 'end') throw new DataFileError('truncated', `file ends inside ${what} at offset ${this.offset}`);
      throw new DataFileError(malformed, `${what} at offset ${this.offset} is not a valid long (over 10 bytes)`);
    }
    this.start += read.length;
    return read.value;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}
