// TCompactProtocol: varints, zigzag, field-id deltas, bools folded into field headers.
import { ProtocolError, SizeError } from '../errors.ts';
import { OutputBuffer } from './output.ts';
import { LengthPrefixedReader, skipValue, type ContainerHeader, type MessageHeader, type ProtocolReader, type ProtocolWriter } from './protocol.ts';
import { compactMinSize, TType, wireTypeName } from './wire.ts';

const PROTOCOL_ID = 0x82;
const VERSION = 1;

/** Compact type codes. */
const CT = {
  STOP: 0, TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12, UUID: 13,
} as const;

const TO_COMPACT: Record<number, number> = {
  [TType.BOOL]: CT.TRUE, [TType.BYTE]: CT.BYTE, [TType.I16]: CT.I16, [TType.I32]: CT.I32, [TType.I64]: CT.I64,
  [TType.DOUBLE]: CT.DOUBLE, [TType.STRING]: CT.BINARY, [TType.LIST]: CT.LIST, [TType.SET]: CT.SET, [TType.MAP]: CT.MAP,
  [TType.STRUCT]: CT.STRUCT, [TType.UUID]: CT.UUID,
};

const FROM_COMPACT: (number | undefined)[] = [
  TType.STOP, TType.BOOL, TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE, TType.STRING, TType.LIST,
  TType.SET, TType.MAP, TType.STRUCT, TType.UUID,
];

function compactType(type: number): number {
  const ct = TO_COMPACT[type];
  if (ct === undefined) throw new ProtocolError(`no compact type for ${wireTypeName(type)}`);
  return ct;
}

const MASK_32 = 0xffffffffn;

export class CompactWriter implements ProtocolWriter {
  readonly output = new OutputBuffer();
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];
  /** A bool field's id, waiting for writeBool (its value goes into the field header). */
  private pendingBoolField: number | undefined;

  writeMessageBegin(name: string, type: number, seqid: number): void {
    this.output.byte(PROTOCOL_ID);
    this.output.byte(VERSION | (type << 5));
    this.output.varint32(seqid);
    this.writeString(name);
  }

  writeMessageEnd(): void {}

  writeStructBegin(): void {
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  writeStructEnd(): void {
    this.lastFieldId = this.fieldIdStack.pop() ?? 0;
  }

  writeFieldBegin(type: number, id: number): void {
    if (type === TType.BOOL) {
      this.pendingBoolField = id;
      return;
    }
    this.fieldHeader(compactType(type), id);
  }

  private fieldHeader(ct: number, id: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      this.output.byte((delta << 4) | ct);
    } else {
      this.output.byte(ct);
      this.output.varint32((id << 1) ^ (id >> 31));
    }
    this.lastFieldId = id;
  }

  writeFieldEnd(): void {}

  writeFieldStop(): void {
    this.output.byte(CT.STOP);
  }

  writeMapBegin(keyType: number, valueType: number, size: number): void {
    if (size === 0) {
      this.output.byte(0);
      return;
    }
    this.output.varint32(size);
    this.output.byte((compactType(keyType) << 4) | compactType(valueType));
  }

  writeMapEnd(): void {}

  writeListBegin(elemType: number, size: number): void {
    const ct = compactType(elemType);
    if (size <= 14) {
      this.output.byte((size << 4) | ct);
    } else {
      this.output.byte(0xf0 | ct);
      this.output.varint32(size);
    }
  }

  writeListEnd(): void {}

  writeSetBegin(elemType: number, size: number): void {
    this.writeListBegin(elemType, size);
  }

  writeSetEnd(): void {}

  writeBool(value: boolean): void {
    const ct = value ? CT.TRUE : CT.FALSE;
    if (this.pendingBoolField !== undefined) {
      const id = this.pendingBoolField;
      this.pendingBoolField = undefined;
      this.fieldHeader(ct, id);
      return;
    }
    this.output.byte(ct);
  }

  writeByte(value: number): void {
    this.output.byte(value);
  }

  writeI16(value: number): void {
    this.output.varint32((value << 1) ^ (value >> 31));
  }

  writeI32(value: number): void {
    this.output.varint32((value << 1) ^ (value >> 31));
  }

  writeI64(value: bigint): void {
    const zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.output.varint64(Number(zigzag >> 32n), Number(zigzag & MASK_32));
  }

  writeDouble(value: number): void {
    this.output.doubleLE(value);
  }

  writeString(value: string): void {
    this.output.varintPrefixedUtf8(value);
  }

  writeBinary(value: Buffer): void {
    this.output.varint32(value.length);
    this.output.bytes(value);
  }

  writeUuid(bytes: Buffer): void {
    this.output.bytes(bytes);
  }
}

export class CompactReader extends LengthPrefixedReader implements ProtocolReader {
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];
  /** The value of a bool field, read from its header. */
  private pendingBool: boolean | undefined;
  fieldId = 0;

  private byte(what: string): number {
    if (this.pos >= this.end) throw new SizeError(`the message ends inside ${what} (at offset ${this.pos})`);
    return this.buf[this.pos++] as number;
  }

  /** An unsigned varint of at most 32 bits (5 bytes). */
  private varint32(what: string): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte(what);
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (shift === 28 && b > 0x0f) throw new ProtocolError(`${what}: varint exceeds 32 bits at offset ${this.pos - 1}`);
        return result >>> 0;
      }
    }
    throw new ProtocolError(`${what}: varint longer than 5 bytes at offset ${this.pos - 1}`);
  }

  private zigzag32(what: string): number {
    const n = this.varint32(what);
    return (n >>> 1) ^ -(n & 1);
  }

  readMessageBegin(): MessageHeader {
    const id = this.byte('the message header');
    if (id !== PROTOCOL_ID) throw new ProtocolError(`bad compact protocol id 0x${id.toString(16).padStart(2, '0')} (expected 0x82)`);
    const versionAndType = this.byte('the message header');
    const version = versionAndType & 0x1f;
    if (version !== VERSION) throw new ProtocolError(`bad compact protocol version ${version} (expected ${VERSION})`);
    const type = (versionAndType >> 5) & 0x07;
    const seqid = this.varint32('the sequence id') | 0;
    const name = this.readMessageName();
    return { name, type, seqid };
  }

  readMessageEnd(): void {}

  readStructBegin(): void {
    this.enter('struct');
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  readStructEnd(): void {
    this.leave();
    this.lastFieldId = this.fieldIdStack.pop() ?? 0;
  }

  readFieldBegin(): number {
    const header = this.byte('a field header');
    if (header === CT.STOP) return TType.STOP;
    const ct = header & 0x0f;
    const type = FROM_COMPACT[ct];
    if (type === undefined || type === TType.STOP) throw new ProtocolError(`unknown compact field type ${ct} at offset ${this.pos - 1}`);
    const delta = header >> 4;
    if (delta !== 0) {
      this.fieldId = this.lastFieldId + delta;
    } else {
      const id = this.zigzag32('a field id');
      if (id < -32768 || id > 32767) throw new ProtocolError(`field id ${id} is not an i16`);
      this.fieldId = id;
    }
    this.lastFieldId = this.fieldId;
    if (type === TType.BOOL) this.pendingBool = ct === CT.TRUE;
    return type;
  }

  readFieldEnd(): void {
    this.pendingBool = undefined;
  }

  private elementType(ct: number, what: string): number {
    const type = FROM_COMPACT[ct];
    if (type === undefined || type === TType.STOP) throw new ProtocolError(`${what} of unknown compact element type ${ct} at offset ${this.pos - 1}`);
    return type;
  }

  readMapBegin(): ContainerHeader {
    const size = this.varint32('a map size');
    if (size === 0) {
      this.enter('map');
      return { keyType: TType.STOP, elemType: TType.STOP, size: 0 };
    }
    const types = this.byte('a map header');
    const keyType = this.elementType(types >> 4, 'map');
    const elemType = this.elementType(types & 0x0f, 'map');
    this.checkCount(`map<${wireTypeName(keyType)},${wireTypeName(elemType)}>`, size, compactMinSize(keyType) + compactMinSize(elemType));
    this.enter('map');
    return { keyType, elemType, size };
  }

  readMapEnd(): void {
    this.leave();
  }

  private collection(what: 'list' | 'set'): ContainerHeader {
    const header = this.byte(`a ${what} header`);
    const elemType = this.elementType(header & 0x0f, what);
    let size = header >> 4;
    if (size === 15) size = this.varint32(`a ${what} size`);
    this.checkCount(`${what}<${wireTypeName(elemType)}>`, size, compactMinSize(elemType));
    this.enter(what);
    return { keyType: 0, elemType, size };
  }

  readListBegin(): ContainerHeader {
    return this.collection('list');
  }

  readListEnd(): void {
    this.leave();
  }

  readSetBegin(): ContainerHeader {
    return this.collection('set');
  }

  readSetEnd(): void {
    this.leave();
  }

  readBool(): boolean {
    if (this.pendingBool !== undefined) {
      const value = this.pendingBool;
      this.pendingBool = undefined;
      return value;
    }
    // Container elements: 1 is true; 2 (and the 0 some writers use) is false.
    const b = this.byte('a bool');
    if (b > CT.FALSE) throw new ProtocolError(`bad compact bool ${b} at offset ${this.pos - 1}`);
    return b === CT.TRUE;
  }

  readByte(): number {
    return this.buf.readInt8(this.need(1, 'a byte'));
  }

  readI16(): number {
    const value = this.zigzag32('an i16');
    if (value < -32768 || value > 32767) throw new ProtocolError(`i16 value ${value} out of range`);
    return value;
  }

  readI32(): number {
    return this.zigzag32('an i32');
  }

  readI64(): bigint {
    // Collect up to 10 bytes into two 32-bit halves, then undo zigzag with one BigInt step.
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte('an i64');
      const bits = b & 0x7f;
      if (i < 4) {
        lo |= bits << (7 * i);
      } else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else {
        hi |= bits << (7 * i - 32);
      }
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) throw new ProtocolError(`i64 varint exceeds 64 bits at offset ${this.pos - 1}`);
        const unsigned = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        return (unsigned >> 1n) ^ -(unsigned & 1n);
      }
    }
    throw new ProtocolError(`i64 varint longer than 10 bytes at offset ${this.pos - 1}`);
  }

  readDouble(): number {
    return this.buf.readDoubleLE(this.need(8, 'a double'));
  }

  protected readLengthField(what: string): number {
    return this.varint32(what);
  }

  skip(type: number): void {
    switch (type) {
      case TType.STRING: {
        const length = this.length('skipped string');
        this.pos += length;
        return;
      }
      case TType.DOUBLE: this.need(8, 'a skipped double'); return;
      case TType.UUID: this.need(16, 'a skipped uuid'); return;
      default: skipValue(this, type);
    }
  }
}
