// In-memory transports under npm thrift's protocols. Our servers and clients cut the byte stream
// into messages themselves (frames, buffered stream, HTTP bodies); the protocols then read one
// message from an InputBuffer and write one into an OutputCollector.
import { thrift, type ProtocolTransport } from './runtime.ts';
import { LimitExceeded, type Limits } from './limits.ts';

/** Reads from a buffer; running short throws npm's InputBufferUnderrunError ("wait for more"). */
export class InputBuffer implements ProtocolTransport {
  position = 0;

  private readonly data: Buffer;
  private readonly limits: Limits;

  constructor(data: Buffer, limits: Limits) {
    this.data = data;
    this.limits = limits;
  }

  private take(length: number): number {
    if (!Number.isInteger(length) || length < 0) throw new LimitExceeded(`negative or invalid length ${length}`);
    if (length > this.limits.maxStringLength) {
      throw new LimitExceeded(`declared length ${length} exceeds the limit of ${this.limits.maxStringLength} bytes`);
    }
    if (this.position + length > this.data.length) throw new thrift.InputBufferUnderrunError();
    const start = this.position;
    this.position += length;
    return start;
  }

  read(length: number): Buffer {
    const start = this.take(length);
    return Buffer.from(this.data.subarray(start, start + length));
  }
  readByte(): number { return this.data.readInt8(this.take(1)); }
  readI16(): number { return this.data.readInt16BE(this.take(2)); }
  readI32(): number { return this.data.readInt32BE(this.take(4)); }
  readDouble(): number { return this.data.readDoubleBE(this.take(8)); }
  readString(length: number): string {
    const start = this.take(length);
    return this.data.toString('utf8', start, start + length);
  }
  borrow(): { buf: Buffer; readIndex: number; writeIndex: number } {
    return { buf: this.data, readIndex: this.position, writeIndex: this.data.length };
  }
  consume(bytes: number): void {
    if (this.position + bytes > this.data.length) throw new thrift.InputBufferUnderrunError();
    this.position += bytes;
  }
  get remaining(): number { return this.data.length - this.position; }

  write(): void { throw new Error('InputBuffer is read-only'); }
  flush(): void { throw new Error('InputBuffer is read-only'); }
}

/** Collects what a protocol writes; flush hands the whole message to the sink. */
export class OutputCollector implements ProtocolTransport {
  private parts: Buffer[] = [];

  private readonly sink: (message: Buffer) => void;

  constructor(sink: (message: Buffer) => void) {
    this.sink = sink;
  }

  write(data: Buffer | string, encoding?: BufferEncoding): void {
    this.parts.push(typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : Buffer.from(data));
  }
  flush(): void {
    const message = Buffer.concat(this.parts);
    this.parts = [];
    this.sink(message);
  }
  /** Generated clients call this on a failed send. */
  reset(): void { this.parts = []; }
  setCurrSeqId(): void {}

  read(): Buffer { throw new Error('OutputCollector is write-only'); }
  readByte(): number { return this.read().length; }
  readI16(): number { return this.read().length; }
  readI32(): number { return this.read().length; }
  readDouble(): number { return this.read().length; }
  readString(): string { return String(this.read()); }
  borrow(): { buf: Buffer; readIndex: number; writeIndex: number } { throw new Error('OutputCollector is write-only'); }
  consume(): void { throw new Error('OutputCollector is write-only'); }
}

export function isUnderrun(error: unknown): boolean {
  return error instanceof thrift.InputBufferUnderrunError;
}
