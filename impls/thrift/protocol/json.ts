// TJSONProtocol (Thrift's own JSON shape, not "simple JSON"): messages are
// [1,"name",type,seqid,{args}], fields {"id":{"type":value}}, lists ["type",size,...], maps
// ["ktype","vtype",size,{"key":value}]; numbers in key position are quoted; binary is base64.
//
// The reader works on one complete message and checks every declared container size against the
// bytes left and the element count actually present, so a short message cannot make it loop or
// allocate ("["i32",100000]" with no elements is an error, not 100000 made-up values).
import { ProtocolError, SizeError, ValueError } from '../errors.ts';
import { formatUuid, parseUuid } from '../values.ts';
import { OutputBuffer } from './output.ts';
import { ReaderBase, skipValue, type ContainerHeader, type MessageHeader, type ProtocolReader, type ProtocolWriter } from './protocol.ts';
import { TType, wireTypeName } from './wire.ts';

const VERSION = 1;

const NAMES: Record<number, string> = {
  [TType.BOOL]: 'tf', [TType.BYTE]: 'i8', [TType.I16]: 'i16', [TType.I32]: 'i32', [TType.I64]: 'i64', [TType.DOUBLE]: 'dbl',
  [TType.STRING]: 'str', [TType.STRUCT]: 'rec', [TType.MAP]: 'map', [TType.LIST]: 'lst', [TType.SET]: 'set', [TType.UUID]: 'uid',
};
const TYPES = new Map<string, number>(Object.entries(NAMES).map(([type, name]) => [name, Number(type)]));

function typeNameOf(type: number): string {
  const name = NAMES[type];
  if (name === undefined) throw new ProtocolError(`no JSON name for ${wireTypeName(type)}`);
  return name;
}

// Contexts: what separates values and whether a number must be quoted (map keys, field ids).
const BASE = 0;
const LIST = 1;
const PAIR = 2;

// Characters that need escaping in a JSON string: the quote, the backslash, and controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const ESCAPES = /["\\\u0000-\u001f]/g;
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export class JsonWriter implements ProtocolWriter {
  readonly output = new OutputBuffer();
  private readonly kinds: number[] = [BASE];
  private readonly counts: number[] = [0];

  /** Writes the separator a value needs here; returns true when the value is in key position. */
  private separate(): boolean {
    const top = this.kinds.length - 1;
    const kind = this.kinds[top] as number;
    const count = this.counts[top] as number;
    this.counts[top] = count + 1;
    if (kind === LIST) {
      if (count > 0) this.output.byte(0x2c);
      return false;
    }
    if (kind === PAIR) {
      if (count % 2 === 1) {
        this.output.byte(0x3a);
        return false;
      }
      if (count > 0) this.output.byte(0x2c);
      return true;
    }
    return false;
  }

  private push(kind: number, open: number): void {
    if (this.separate()) throw new ValueError('the JSON protocol cannot write a struct or container as a map key');
    this.output.byte(open);
    this.kinds.push(kind);
    this.counts.push(0);
  }

  private pop(close: number): void {
    this.kinds.pop();
    this.counts.pop();
    this.output.byte(close);
  }

  private integer(text: string): void {
    if (this.separate()) this.output.ascii(`"${text}"`);
    else this.output.ascii(text);
  }

  private jsonString(value: string): void {
    this.separate();
    this.output.byte(0x22);
    this.output.utf8(NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, escapeChar) : value);
    this.output.byte(0x22);
  }

  writeMessageBegin(name: string, type: number, seqid: number): void {
    this.push(LIST, 0x5b);
    this.integer(String(VERSION));
    this.jsonString(name);
    this.integer(String(type));
    this.integer(String(seqid));
  }

  writeMessageEnd(): void {
    this.pop(0x5d);
  }

  writeStructBegin(): void {
    this.push(PAIR, 0x7b);
  }

  writeStructEnd(): void {
    this.pop(0x7d);
  }

  writeFieldBegin(type: number, id: number): void {
    this.integer(String(id));
    this.push(PAIR, 0x7b);
    this.jsonString(typeNameOf(type));
  }

  writeFieldEnd(): void {
    this.pop(0x7d);
  }

  writeFieldStop(): void {}

  writeMapBegin(keyType: number, valueType: number, size: number): void {
    this.push(LIST, 0x5b);
    this.jsonString(typeNameOf(keyType));
    this.jsonString(typeNameOf(valueType));
    this.integer(String(size));
    this.push(PAIR, 0x7b);
  }

  writeMapEnd(): void {
    this.pop(0x7d);
    this.pop(0x5d);
  }

  writeListBegin(elemType: number, size: number): void {
    this.push(LIST, 0x5b);
    this.jsonString(typeNameOf(elemType));
    this.integer(String(size));
  }

  writeListEnd(): void {
    this.pop(0x5d);
  }

  writeSetBegin(elemType: number, size: number): void {
    this.writeListBegin(elemType, size);
  }

  writeSetEnd(): void {
    this.pop(0x5d);
  }

  writeBool(value: boolean): void {
    this.integer(value ? '1' : '0');
  }

  writeByte(value: number): void {
    this.integer(String(value));
  }

  writeI16(value: number): void {
    this.integer(String(value));
  }

  writeI32(value: number): void {
    this.integer(String(value));
  }

  writeI64(value: bigint): void {
    this.integer(value.toString());
  }

  writeDouble(value: number): void {
    // NaN and the infinities are quoted everywhere (they are not JSON numbers); -0.0 keeps its sign.
    const key = this.separate();
    let text: string;
    if (Number.isNaN(value)) text = '"NaN"';
    else if (value === Infinity) text = '"Infinity"';
    else if (value === -Infinity) text = '"-Infinity"';
    else {
      const plain = Object.is(value, -0) ? '-0.0' : String(value);
      text = key ? `"${plain}"` : plain;
    }
    this.output.ascii(text);
  }

  writeString(value: string): void {
    this.jsonString(value);
  }

  writeBinary(value: Buffer): void {
    this.separate();
    this.output.byte(0x22);
    this.output.ascii(value.toString('base64'));
    this.output.byte(0x22);
  }

  writeUuid(bytes: Buffer): void {
    this.jsonString(formatUuid(bytes));
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const INTEGER = /^-?[0-9]+$/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;
/** Longest integer text accepted (i64 has at most 20 characters). */
const MAX_INTEGER_TEXT = 24;
const MAX_NUMBER_TEXT = 1100;

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function show(c: number | undefined): string {
  if (c === undefined) return 'the end of the message';
  return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class JsonReader extends ReaderBase implements ProtocolReader {
  private readonly kinds: number[] = [BASE];
  private readonly counts: number[] = [0];
  fieldId = 0;

  private peek(): number | undefined {
    while (this.pos < this.end && isSpace(this.buf[this.pos] as number)) this.pos++;
    return this.buf[this.pos];
  }

  private expect(c: number, what: string): void {
    const found = this.peek();
    if (found !== c) {
      const Kind = found === undefined ? SizeError : ProtocolError;
      throw new Kind(`expected ${show(c)} (${what}) at offset ${this.pos}, found ${show(found)}`);
    }
    this.pos++;
  }

  /** Reads the separator before a value; returns true when the value is in key position. */
  private separate(): boolean {
    const top = this.kinds.length - 1;
    const kind = this.kinds[top] as number;
    const count = this.counts[top] as number;
    this.counts[top] = count + 1;
    if (kind === LIST) {
      if (count > 0) this.expect(0x2c, 'a comma between values');
      return false;
    }
    if (kind === PAIR) {
      if (count % 2 === 1) {
        this.expect(0x3a, 'a colon after a key');
        return false;
      }
      if (count > 0) this.expect(0x2c, 'a comma between members');
      return true;
    }
    return false;
  }

  private open(kind: number, c: number, what: string): void {
    this.separate();
    this.expect(c, what);
    this.kinds.push(kind);
    this.counts.push(0);
    this.enter(what);
  }

  private close(c: number, what: string): void {
    this.expect(c, what);
    this.kinds.pop();
    this.counts.pop();
    this.leave();
  }

  private numberText(what: string, max: number): string {
    this.peek();
    const start = this.pos;
    while (this.pos < this.end && isNumberChar(this.buf[this.pos] as number)) {
      if (this.pos - start >= max) throw new ProtocolError(`${what} at offset ${start} is longer than ${max} characters`);
      this.pos++;
    }
    if (this.pos === start) {
      const Kind = start >= this.end ? SizeError : ProtocolError;
      throw new Kind(`expected ${what} at offset ${start}, found ${show(this.buf[start])}`);
    }
    return this.buf.toString('latin1', start, this.pos);
  }

  /** An integer: quoted in key position. */
  private integerText(what: string): string {
    const key = this.separate();
    if (key) this.expect(QUOTE, `the quote around ${what} in key position`);
    const text = this.numberText(what, MAX_INTEGER_TEXT);
    if (key) this.expect(QUOTE, `the quote around ${what} in key position`);
    if (!INTEGER.test(text)) throw new ProtocolError(`${what} ${JSON.stringify(text)} is not an integer`);
    return text;
  }

  private integer(what: string, min: number, max: number): number {
    const text = this.integerText(what);
    const value = Number(text);
    if (value < min || value > max) throw new ProtocolError(`${what} ${text} is out of range ${min}..${max}`);
    return value;
  }

  /** The raw content of a JSON string (after its opening quote): start and end of its bytes, and whether it has escapes. */
  private stringSpan(what: string): { start: number; end: number; escaped: boolean } {
    this.expect(QUOTE, `the opening quote of ${what}`);
    const start = this.pos;
    let at = start;
    let end: number;
    for (;;) {
      const quote = this.buf.indexOf(QUOTE, at);
      if (quote < 0) throw new SizeError(`${what} starting at offset ${start - 1} is not terminated`);
      // A quote ends the string unless an odd number of backslashes precede it.
      let slashes = 0;
      for (let i = quote - 1; i >= start && this.buf[i] === BACKSLASH; i--) slashes++;
      if (slashes % 2 === 0) {
        end = quote;
        break;
      }
      at = quote + 1;
    }
    if (end - start > this.limits.maxStringLength) throw new SizeError(`${what} has ${end - start} bytes, over the limit of ${this.limits.maxStringLength}`);
    this.pos = end + 1;
    return { start, end, escaped: this.buf.subarray(start, end).includes(BACKSLASH) };
  }

  private decodeEscaped(start: number, end: number, what: string): string {
    const text = this.buf.subarray(start, end);
    const parts: string[] = [];
    let run = 0;
    let i = text.indexOf(BACKSLASH);
    while (i >= 0) {
      if (i > run) parts.push(text.toString('utf8', run, i));
      const c = text[i + 1];
      switch (c) {
        case 0x22: parts.push('"'); i += 2; break;
        case 0x5c: parts.push('\\'); i += 2; break;
        case 0x2f: parts.push('/'); i += 2; break;
        case 0x62: parts.push('\b'); i += 2; break;
        case 0x66: parts.push('\f'); i += 2; break;
        case 0x6e: parts.push('\n'); i += 2; break;
        case 0x72: parts.push('\r'); i += 2; break;
        case 0x74: parts.push('\t'); i += 2; break;
        case 0x75: {
          const hex = i + 6 <= text.length ? text.toString('latin1', i + 2, i + 6) : '';
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ProtocolError(`${what}: bad \\u escape at offset ${start + i}`);
          // Surrogate pairs arrive as two escapes; as UTF-16 code units they join by themselves.
          parts.push(String.fromCharCode(Number.parseInt(hex, 16)));
          i += 6;
          break;
        }
        default:
          throw new ProtocolError(`${what}: bad escape ${show(c)} at offset ${start + i}`);
      }
      run = i;
      i = text.indexOf(BACKSLASH, i);
    }
    if (text.length > run) parts.push(text.toString('utf8', run));
    return parts.join('');
  }

  private jsonString(what: string, separated = false): string {
    if (!separated) this.separate();
    const span = this.stringSpan(what);
    return span.escaped ? this.decodeEscaped(span.start, span.end, what) : this.buf.toString('utf8', span.start, span.end);
  }

  private typeName(what: string): number {
    const name = this.jsonString(what);
    const type = TYPES.get(name);
    if (type === undefined) throw new ProtocolError(`unknown JSON type name ${JSON.stringify(name.slice(0, 20))} for ${what}`);
    return type;
  }

  readMessageBegin(): MessageHeader {
    this.open(LIST, 0x5b, 'the message array');
    const version = this.integer('the message version', -(2 ** 31), 2 ** 31 - 1);
    if (version !== VERSION) throw new ProtocolError(`bad JSON protocol version ${version} (expected ${VERSION})`);
    const name = this.jsonString('the message name');
    const type = this.integer('the message type', 0, 255);
    const seqid = this.integer('the sequence id', -(2 ** 31), 2 ** 31 - 1);
    return { name, type, seqid };
  }

  readMessageEnd(): void {
    this.close(0x5d, 'the end of the message array');
    if (this.peek() !== undefined) throw new ProtocolError(`${this.end - this.pos} bytes follow the end of the JSON message`);
  }

  readStructBegin(): void {
    this.open(PAIR, 0x7b, 'a struct object');
  }

  readStructEnd(): void {
    this.close(0x7d, 'the end of a struct object');
  }

  readFieldBegin(): number {
    if (this.peek() === 0x7d) return TType.STOP;
    const id = this.integer('a field id', -32768, 32767);
    this.fieldId = id;
    this.open(PAIR, 0x7b, 'a field object');
    return this.typeName('a field type');
  }

  readFieldEnd(): void {
    this.close(0x7d, 'the end of a field object');
  }

  readMapBegin(): ContainerHeader {
    this.open(LIST, 0x5b, 'a map array');
    const keyType = this.typeName('a map key type');
    const elemType = this.typeName('a map value type');
    const size = this.integer('a map size', -(2 ** 31), 2 ** 31 - 1);
    // Each entry takes at least 5 bytes ("k":v plus a comma).
    this.checkCount(`map<${wireTypeName(keyType)},${wireTypeName(elemType)}>`, size, 4);
    this.open(PAIR, 0x7b, 'a map object');
    return { keyType, elemType, size };
  }

  readMapEnd(): void {
    this.close(0x7d, 'the end of a map object (more entries than its declared size?)');
    this.close(0x5d, 'the end of a map array');
  }

  private collection(what: 'list' | 'set'): ContainerHeader {
    this.open(LIST, 0x5b, `a ${what} array`);
    const elemType = this.typeName(`a ${what} element type`);
    const size = this.integer(`a ${what} size`, -(2 ** 31), 2 ** 31 - 1);
    // Each element takes at least 2 bytes (a comma and one character).
    this.checkCount(`${what}<${wireTypeName(elemType)}>`, size, 2);
    return { keyType: 0, elemType, size };
  }

  readListBegin(): ContainerHeader {
    return this.collection('list');
  }

  readListEnd(): void {
    this.close(0x5d, 'the end of a list (more elements than its declared size?)');
  }

  readSetBegin(): ContainerHeader {
    return this.collection('set');
  }

  readSetEnd(): void {
    this.close(0x5d, 'the end of a set (more elements than its declared size?)');
  }

  readBool(): boolean {
    return this.integer('a bool', -(2 ** 31), 2 ** 31 - 1) !== 0;
  }

  readByte(): number {
    return this.integer('a byte', -128, 127);
  }

  readI16(): number {
    return this.integer('an i16', -32768, 32767);
  }

  readI32(): number {
    return this.integer('an i32', -(2 ** 31), 2 ** 31 - 1);
  }

  readI64(): bigint {
    const value = BigInt(this.integerText('an i64'));
    if (value !== BigInt.asIntN(64, value)) throw new ProtocolError(`i64 ${value} is out of range`);
    return value;
  }

  readDouble(): number {
    const key = this.separate();
    if (this.peek() === QUOTE) {
      const text = this.jsonString('a double', true);
      if (text === 'NaN') return Number.NaN;
      if (text === 'Infinity') return Infinity;
      if (text === '-Infinity') return -Infinity;
      if (!key) throw new ProtocolError(`double ${JSON.stringify(text.slice(0, 40))} is quoted outside key position`);
      if (!NUMBER.test(text)) throw new ProtocolError(`double ${JSON.stringify(text.slice(0, 40))} is not a number`);
      return Number(text);
    }
    if (key) throw new ProtocolError(`a double in key position must be quoted (offset ${this.pos})`);
    const text = this.numberText('a double', MAX_NUMBER_TEXT);
    if (!NUMBER.test(text)) throw new ProtocolError(`double ${JSON.stringify(text.slice(0, 40))} is not a JSON number`);
    return Number(text);
  }

  readString(): string {
    return this.jsonString('a string');
  }

  readBinary(): Buffer {
    this.separate();
    const span = this.stringSpan('a base64 binary');
    const text = span.escaped ? this.decodeEscaped(span.start, span.end, 'a base64 binary') : this.buf.toString('latin1', span.start, span.end);
    if (!BASE64.test(text)) throw new ProtocolError(`binary at offset ${span.start - 1} is not base64`);
    if (text.replace(/=+$/, '').length % 4 === 1) throw new ProtocolError(`binary at offset ${span.start - 1} has a truncated base64 group`);
    return Buffer.from(text, 'base64');
  }

  readUuid(): string {
    const text = this.jsonString('a uuid');
    try {
      return formatUuid(parseUuid(text));
    } catch (error) {
      throw new ProtocolError(error instanceof Error ? error.message : String(error));
    }
  }

  skip(type: number): void {
    if (type === TType.STRING || type === TType.UUID) {
      // Strings, base64 binaries and uuids alike: passed over without decoding.
      this.separate();
      this.stringSpan('a skipped string');
      return;
    }
    skipValue(this, type);
  }
}
