// What a protocol (binary, compact, JSON) offers to the type-directed codec: Thrift's classic
// TProtocol operations, on one complete message held in memory (transports hand over whole
// messages; nothing here ever waits for bytes).
import { ProtocolError, SizeError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import { formatUuid } from '../values.ts';
import type { OutputBuffer } from './output.ts';
import { TType, wireTypeName } from './wire.ts';

export interface MessageHeader {
  readonly name: string;
  readonly type: number;
  readonly seqid: number;
}

export interface ProtocolWriter {
  readonly output: OutputBuffer;
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  writeStructBegin(): void;
  writeStructEnd(): void;
  writeFieldBegin(type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeMapBegin(keyType: number, valueType: number, size: number): void;
  writeMapEnd(): void;
  writeListBegin(elemType: number, size: number): void;
  writeListEnd(): void;
  writeSetBegin(elemType: number, size: number): void;
  writeSetEnd(): void;
  writeBool(value: boolean): void;
  writeByte(value: number): void;
  writeI16(value: number): void;
  writeI32(value: number): void;
  writeI64(value: bigint): void;
  writeDouble(value: number): void;
  writeString(value: string): void;
  writeBinary(value: Buffer): void;
  /** The 16 bytes of a uuid. */
  writeUuid(bytes: Buffer): void;
}

export interface ContainerHeader {
  readonly keyType: number;
  /** The element type of a list or set; the value type of a map. */
  readonly elemType: number;
  readonly size: number;
}

export interface ProtocolReader {
  /** Bytes of the message not read yet. */
  readonly remaining: number;
  readMessageBegin(): MessageHeader;
  readMessageEnd(): void;
  readStructBegin(): void;
  readStructEnd(): void;
  /** The wire type of the next field (TType.STOP at the end); its id is then in fieldId. */
  readFieldBegin(): number;
  readonly fieldId: number;
  readFieldEnd(): void;
  readMapBegin(): ContainerHeader;
  readMapEnd(): void;
  readListBegin(): ContainerHeader;
  readListEnd(): void;
  readSetBegin(): ContainerHeader;
  readSetEnd(): void;
  readBool(): boolean;
  readByte(): number;
  readI16(): number;
  readI32(): number;
  readI64(): bigint;
  readDouble(): number;
  readString(): string;
  readBinary(): Buffer;
  /** A uuid in canonical lowercase 8-4-4-4-12 form. */
  readUuid(): string;
  /** Skips one value of a wire type (unknown fields), within the depth and size limits. */
  skip(type: number): void;
}

/** Shared by the readers: the message and the offset in it, the depth limit and the declared-size checks. */
export abstract class ReaderBase {
  protected depth = 0;
  protected readonly limits: Limits;
  protected readonly buf: Buffer;
  protected pos = 0;
  protected readonly end: number;

  constructor(buf: Buffer, limits: Limits) {
    this.limits = limits;
    this.buf = buf;
    this.end = buf.length;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  // Big-endian integers from bytes need() has already checked: Buffer's readInt32BE and readInt16BE
  // check the offset again on every call, which cost more than the read itself on small messages.
  protected i32At(at: number): number {
    const b = this.buf;
    return ((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number);
  }

  protected i16At(at: number): number {
    const b = this.buf;
    return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16)) >> 16;
  }

  /** Takes n bytes, or fails naming what ended inside them; returns where they start. */
  protected need(n: number, what: string): number {
    const at = this.pos;
    if (this.end - at < n) throw new SizeError(`the message ends inside ${what} (needs ${n} bytes at offset ${at}, ${this.end - at} left)`);
    this.pos = at + n;
    return at;
  }

  protected enter(what: string): void {
    if (++this.depth > this.limits.maxDepth) throw new SizeError(`${what} nested deeper than ${this.limits.maxDepth} levels`);
  }

  protected leave(): void {
    this.depth--;
  }

  /**
   * A declared element count must be within the limit and could fit in the bytes left, given the
   * fewest bytes one element takes: checked before anything loops over it.
   */
  protected checkCount(what: string, size: number, minBytesEach: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new SizeError(`${what} declares a negative size ${size}`);
    if (size > this.limits.maxContainerLength) throw new SizeError(`${what} declares ${size} elements, over the limit of ${this.limits.maxContainerLength}`);
    if (size * minBytesEach > this.remaining) {
      throw new SizeError(`${what} declares ${size} elements (at least ${size * minBytesEach} bytes) but only ${this.remaining} bytes are left in the message`);
    }
  }

  protected checkLength(what: string, length: number): void {
    if (!Number.isSafeInteger(length) || length < 0) throw new SizeError(`${what} declares a negative length ${length}`);
    if (length > this.limits.maxStringLength) throw new SizeError(`${what} declares ${length} bytes, over the limit of ${this.limits.maxStringLength}`);
    if (length > this.remaining) throw new SizeError(`${what} declares ${length} bytes but only ${this.remaining} are left in the message`);
  }
}

/** Strings up to this many bytes (method names, short values) are decoded by shortText. */
const SHORT_TEXT = 32;

/**
 * UTF-8 bytes as text: a short ASCII run is built in JavaScript, which costs less than a call into
 * Buffer's decoder; anything else goes to that decoder (which replaces malformed sequences).
 */
export function shortText(buf: Buffer, at: number, end: number): string {
  let text = '';
  for (let i = at; i < end; i++) {
    const byte = buf[i] as number;
    if (byte >= 0x80) return buf.toString('utf8', at, end);
    text += String.fromCharCode(byte);
  }
  return text;
}

/**
 * The message names decoded last, in a few slots taken in turn, shared by every connection: a
 * lookup compares at most SLOTS short byte runs, and a peer sending a new name with every
 * message only keeps replacing them (nothing grows).
 */
class RecentNames {
  private static readonly SLOTS = 8;
  /** Names longer than this are decoded every time (no method name in practice). */
  private static readonly LONGEST = 64;
  private readonly bytes: Buffer[] = [];
  private readonly texts: string[] = [];
  private next = 0;

  text(buf: Buffer, at: number, length: number): string {
    for (let slot = 0; slot < this.bytes.length; slot++) {
      const known = this.bytes[slot] as Buffer;
      if (known.length === length && sameBytes(known, buf, at)) return this.texts[slot] as string;
    }
    const text = length <= SHORT_TEXT ? shortText(buf, at, at + length) : buf.toString('utf8', at, at + length);
    if (length <= RecentNames.LONGEST) {
      this.bytes[this.next] = Buffer.from(buf.subarray(at, at + length));
      this.texts[this.next] = text;
      this.next = (this.next + 1) % RecentNames.SLOTS;
    }
    return text;
  }
}

function sameBytes(known: Buffer, buf: Buffer, at: number): boolean {
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[at + i]) return false;
  return true;
}

const recentNames = new RecentNames();

/** The binary and compact readers: a string, a binary or a uuid is its bytes, after a length for the first two. */
export abstract class LengthPrefixedReader extends ReaderBase {
  /** Reads the length in front of a string or binary, in the protocol's encoding. */
  protected abstract readLengthField(what: string): number;

  /** A declared length, checked against the limits and the bytes left before anything is taken. */
  protected length(what: string): number {
    const length = this.readLengthField(`a ${what} length`);
    this.checkLength(what, length);
    return length;
  }

  readString(): string {
    const length = this.length('string');
    const at = this.pos;
    this.pos += length;
    return length <= SHORT_TEXT ? shortText(this.buf, at, at + length) : this.buf.toString('utf8', at, at + length);
  }

  /**
   * A message's name: the same few names come on every call, so the same bytes give back the same
   * string (RecentNames), not a new one that every Map and property lookup made with it would hash
   * and look up in V8's string table again.
   */
  readMessageName(): string {
    const length = this.length('string');
    const at = this.pos;
    this.pos += length;
    return recentNames.text(this.buf, at, length);
  }

  readBinary(): Buffer {
    const length = this.length('binary');
    const at = this.pos;
    this.pos += length;
    return this.buf.subarray(at, at + length);
  }

  readUuid(): string {
    return formatUuid(this.buf, this.need(16, 'a uuid'));
  }
}

/** Generic skip over the reader's own operations (every protocol). */
export function skipValue(reader: ProtocolReader, type: number): void {
  switch (type) {
    case TType.BOOL: reader.readBool(); return;
    case TType.BYTE: reader.readByte(); return;
    case TType.I16: reader.readI16(); return;
    case TType.I32: reader.readI32(); return;
    case TType.I64: reader.readI64(); return;
    case TType.DOUBLE: reader.readDouble(); return;
    // Each protocol skips a string its own way (binary data in JSON is base64, text is not).
    case TType.STRING: reader.skip(TType.STRING); return;
    case TType.UUID: reader.skip(TType.UUID); return;
    case TType.STRUCT: {
      reader.readStructBegin();
      for (let t = reader.readFieldBegin(); t !== TType.STOP; t = reader.readFieldBegin()) {
        skipValue(reader, t);
        reader.readFieldEnd();
      }
      reader.readStructEnd();
      return;
    }
    case TType.MAP: {
      const header = reader.readMapBegin();
      for (let i = 0; i < header.size; i++) {
        skipValue(reader, header.keyType);
        skipValue(reader, header.elemType);
      }
      reader.readMapEnd();
      return;
    }
    case TType.SET: case TType.LIST: {
      const header = type === TType.SET ? reader.readSetBegin() : reader.readListBegin();
      for (let i = 0; i < header.size; i++) skipValue(reader, header.elemType);
      if (type === TType.SET) reader.readSetEnd(); else reader.readListEnd();
      return;
    }
    default:
      throw new ProtocolError(`cannot skip a value of ${wireTypeName(type)}`);
  }
}
