// TBinaryProtocol. Writes the strict (versioned) message header; reads both the strict and the old
// non-strict header (name first) unless strictRead is asked for.
import { ProtocolError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import { OutputBuffer } from './output.ts';
import { LengthPrefixedReader, skipValue, type ContainerHeader, type MessageHeader, type ProtocolReader, type ProtocolWriter } from './protocol.ts';
import { binaryMinSize, isValueType, TType, wireTypeName } from './wire.ts';

const VERSION_1 = 0x80010000 | 0;
const VERSION_MASK = 0xffff0000 | 0;

export class BinaryWriter implements ProtocolWriter {
  readonly output = new OutputBuffer();

  writeMessageBegin(name: string, type: number, seqid: number): void {
    this.output.int32(VERSION_1 | type);
    this.output.lengthPrefixedUtf8(name);
    this.output.int32(seqid);
  }

  writeMessageEnd(): void {}
  writeStructBegin(): void {}
  writeStructEnd(): void {}

  writeFieldBegin(type: number, id: number): void {
    this.output.byte(type);
    this.output.int16(id);
  }

  writeFieldEnd(): void {}

  writeFieldStop(): void {
    this.output.byte(TType.STOP);
  }

  writeMapBegin(keyType: number, valueType: number, size: number): void {
    this.output.byte(keyType);
    this.output.byte(valueType);
    this.output.int32(size);
  }

  writeMapEnd(): void {}

  writeListBegin(elemType: number, size: number): void {
    this.output.byte(elemType);
    this.output.int32(size);
  }

  writeListEnd(): void {}

  writeSetBegin(elemType: number, size: number): void {
    this.writeListBegin(elemType, size);
  }

  writeSetEnd(): void {}

  writeBool(value: boolean): void {
    this.output.byte(value ? 1 : 0);
  }

  writeByte(value: number): void {
    this.output.byte(value);
  }

  writeI16(value: number): void {
    this.output.int16(value);
  }

  writeI32(value: number): void {
    this.output.int32(value);
  }

  writeI64(value: bigint): void {
    this.output.int64(value);
  }

  writeDouble(value: number): void {
    this.output.doubleBE(value);
  }

  writeString(value: string): void {
    this.output.lengthPrefixedUtf8(value);
  }

  writeBinary(value: Buffer): void {
    this.output.int32(value.length);
    this.output.bytes(value);
  }

  writeUuid(bytes: Buffer): void {
    this.output.bytes(bytes);
  }
}

export class BinaryReader extends LengthPrefixedReader implements ProtocolReader {
  private readonly strictRead: boolean;
  fieldId = 0;

  constructor(buf: Buffer, limits: Limits, strictRead = false) {
    super(buf, limits);
    this.strictRead = strictRead;
  }

  readMessageBegin(): MessageHeader {
    const first = this.i32At(this.need(4, 'the message header'));
    if (first < 0) {
      if ((first & VERSION_MASK) !== VERSION_1) {
        throw new ProtocolError(`bad binary protocol version 0x${(first >>> 0).toString(16).padStart(8, '0')} (expected 0x8001 followed by the message type)`);
      }
      const type = first & 0xff;
      const name = this.readMessageName();
      const seqid = this.readI32();
      return { name, type, seqid };
    }
    if (this.strictRead) throw new ProtocolError('a non-strict binary message header (no version) where strict read is required');
    // The old header: the first word is the name's length.
    this.checkLength('the message name', first);
    const at = this.need(first, 'the message name');
    const name = this.buf.toString('utf8', at, at + first);
    const type = this.readByte();
    const seqid = this.readI32();
    return { name, type, seqid };
  }

  readMessageEnd(): void {}

  readStructBegin(): void {
    this.enter('struct');
  }

  readStructEnd(): void {
    this.leave();
  }

  readFieldBegin(): number {
    const type = this.buf[this.need(1, 'a field header')] as number;
    if (type === TType.STOP) return type;
    if (!isValueType(type)) throw new ProtocolError(`unknown field type ${type} at offset ${this.pos - 1}`);
    this.fieldId = this.i16At(this.need(2, 'a field id'));
    return type;
  }

  readFieldEnd(): void {}

  private elementType(what: string): number {
    const type = this.buf[this.need(1, `a ${what} header`)] as number;
    if (!isValueType(type)) throw new ProtocolError(`${what} of unknown element type ${type} at offset ${this.pos - 1}`);
    return type;
  }

  readMapBegin(): ContainerHeader {
    const keyType = this.elementType('map');
    const elemType = this.elementType('map');
    const size = this.i32At(this.need(4, 'a map size'));
    this.checkCount(`map<${wireTypeName(keyType)},${wireTypeName(elemType)}>`, size, binaryMinSize(keyType) + binaryMinSize(elemType));
    this.enter('map');
    return { keyType, elemType, size };
  }

  readMapEnd(): void {
    this.leave();
  }

  readListBegin(): ContainerHeader {
    return this.collection('list');
  }

  private collection(what: 'list' | 'set'): ContainerHeader {
    const elemType = this.elementType(what);
    const size = this.i32At(this.need(4, `a ${what} size`));
    this.checkCount(`${what}<${wireTypeName(elemType)}>`, size, binaryMinSize(elemType));
    this.enter(what);
    return { keyType: 0, elemType, size };
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
    return this.buf[this.need(1, 'a bool')] !== 0;
  }

  readByte(): number {
    return this.buf.readInt8(this.need(1, 'a byte'));
  }

  readI16(): number {
    return this.i16At(this.need(2, 'an i16'));
  }

  readI32(): number {
    return this.i32At(this.need(4, 'an i32'));
  }

  readI64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'an i64'));
  }

  readDouble(): number {
    return this.buf.readDoubleBE(this.need(8, 'a double'));
  }

  protected readLengthField(what: string): number {
    return this.i32At(this.need(4, what));
  }

  skip(type: number): void {
    switch (type) {
      case TType.BOOL: case TType.BYTE: this.need(1, 'a skipped value'); return;
      case TType.I16: this.need(2, 'a skipped value'); return;
      case TType.I32: this.need(4, 'a skipped value'); return;
      case TType.I64: case TType.DOUBLE: this.need(8, 'a skipped value'); return;
      case TType.UUID: this.need(16, 'a skipped value'); return;
      case TType.STRING: {
        const length = this.length('skipped string');
        this.pos += length;
        return;
      }
      default: skipValue(this, type);
    }
  }
}
