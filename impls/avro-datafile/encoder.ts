// A record encoder compiled from the writer's avsc type, the mirror of decoder.ts: it writes a
// value's Avro binary encoding straight into the writer's block buffer (growing it by doubling),
// with no Tap, no Buffer per long (our BigInt long type makes avsc pack every long through an
// 8-byte Buffer) and no separate validation pass (avsc's isValid walked every record once before
// encode walked it again).
//
// It accepts only what avsc's own isValid accepts, and writes the bytes avsc's encode writes. For
// anything else it throws NotCompiled and the writer encodes that record the generic way (avsc's
// isValid, then avsc's encode), which also produces the error message. So it may be stricter than
// avsc (a record with a field left undefined, a string with a lone surrogate, an enum symbol that
// is an Object.prototype name), never laxer: such values just take the slower path.
import type { AvroType } from './schema.ts';

/** The block being written: bytes [0, pos) hold the encoded records so far. */
export class Sink {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `need` more bytes after pos: a buffer twice as large, the bytes so far copied. */
  grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need + 1024));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** This value is not for the compiled encoder: encode it the generic way. */
export class NotCompiled extends Error {
  override readonly name = 'NotCompiled';
}
// One instance, thrown without a stack trace being taken for each refusal.
const REFUSED = new NotCompiled('value not encodable by the compiled encoder');

export type WriteValue = (s: Sink, value: unknown) => void;

// --- primitives ---------------------------------------------------------------------------------

/** Zig-zag varint of an int32 (avsc's IntType accepts exactly val === (val | 0)). */
function writeInt(s: Sink, v: unknown): void {
  if (v !== ((v as number) | 0)) throw REFUSED;
  let pos = s.pos;
  if (pos + 5 > s.buf.length) s.grow(5);
  const buf = s.buf;
  let z = (((v as number) << 1) ^ ((v as number) >> 31)) >>> 0;
  while (z > 0x7f) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  s.pos = pos;
}

/** A non-negative count or length (below 2^31) as a zig-zag varint. */
function writeCount(s: Sink, n: number): void {
  let pos = s.pos;
  if (pos + 5 > s.buf.length) s.grow(5);
  const buf = s.buf;
  let z = n * 2;
  while (z > 0x7f) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  s.pos = pos;
}

// A BigInt's two 32-bit halves through scratch memory: no allocation, where shifts would make several.
const scratch = new BigInt64Array(1);
const halves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Zig-zag varint of a BigInt long (impls/avro/types.ts bigintLong: any signed 64-bit BigInt). */
function writeBigLong(s: Sink, v: unknown): void {
  if (typeof v !== 'bigint' || v < LONG_MIN || v > LONG_MAX) throw REFUSED;
  let pos = s.pos;
  if (pos + 10 > s.buf.length) s.grow(10);
  const buf = s.buf;
  scratch[0] = v;
  const lo = halves[LOW] as number;
  const hi = halves[HIGH] as number;
  // Zig-zag on the halves: the 64 bits shifted left by one, all flipped when negative.
  const sign = (hi | 0) >> 31;
  let zlo = ((lo << 1) ^ sign) >>> 0;
  let zhi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
  if (zhi === 0) {
    while (zlo > 0x7f) {
      buf[pos++] = (zlo & 0x7f) | 0x80;
      zlo >>>= 7;
    }
    buf[pos++] = zlo;
    s.pos = pos;
    return;
  }
  // Bits 0-27 of the low half in four bytes, then bits 28-31 with the high half's first three.
  for (let k = 0; k < 4; k++) {
    buf[pos++] = (zlo & 0x7f) | 0x80;
    zlo >>>= 7;
  }
  const fifth = zlo | ((zhi & 0x7) << 4);
  zhi >>>= 3;
  if (zhi === 0) {
    buf[pos++] = fifth;
  } else {
    buf[pos++] = fifth | 0x80;
    while (zhi > 0x7f) {
      buf[pos++] = (zhi & 0x7f) | 0x80;
      zhi >>>= 7;
    }
    buf[pos++] = zhi;
  }
  s.pos = pos;
}

// Floats and doubles go through typed-array scratch, as Buffer's writeFloatLE / writeDoubleLE
// (avsc's) do, so that every value, NaNs included, comes out as the same bytes.
const float32 = new Float32Array(1);
const float32Bytes = new Uint8Array(float32.buffer);
const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);
const F0 = LITTLE_ENDIAN ? 0 : 3;
const F_STEP = LITTLE_ENDIAN ? 1 : -1;
const D0 = LITTLE_ENDIAN ? 0 : 7;

function writeFloat(s: Sink, v: unknown): void {
  if (typeof v !== 'number') throw REFUSED;
  const pos = s.pos;
  if (pos + 4 > s.buf.length) s.grow(4);
  const buf = s.buf;
  float32[0] = v;
  for (let k = 0; k < 4; k++) buf[pos + k] = float32Bytes[F0 + F_STEP * k] as number;
  s.pos = pos + 4;
}

function writeDouble(s: Sink, v: unknown): void {
  if (typeof v !== 'number') throw REFUSED;
  const pos = s.pos;
  if (pos + 8 > s.buf.length) s.grow(8);
  const buf = s.buf;
  float64[0] = v;
  for (let k = 0; k < 8; k++) buf[pos + k] = float64Bytes[D0 + F_STEP * k] as number;
  s.pos = pos + 8;
}

function writeBoolean(s: Sink, v: unknown): void {
  if (typeof v !== 'boolean') throw REFUSED;
  if (s.pos + 1 > s.buf.length) s.grow(1);
  s.buf[s.pos++] = v ? 1 : 0;
}

function writeNull(_s: Sink, v: unknown): void {
  if (v !== null) throw REFUSED;
}

/** Node's Buffer, with the method behind write(string, offset, 'utf8') (no argument checks). */
interface Utf8Buffer extends Buffer {
  utf8Write(text: string, offset: number, length: number): number;
}

// Short strings are copied by a loop when they are ASCII (the bench's and most names and tags):
// below this many characters a loop costs less than a call into C++ (and Buffer.byteLength first).
const SHORT_STRING = 64;

function writeString(s: Sink, v: unknown): void {
  if (typeof v !== 'string') throw REFUSED;
  const n = v.length;
  if (n <= SHORT_STRING) {
    // One pass that writes while it checks for ASCII: n <= 64 characters, so the length's varint
    // is one byte (n < 64) or two; anything else goes the general way below, over the same bytes.
    const pos = s.pos;
    if (pos + n + 2 > s.buf.length) s.grow(n + 2);
    const buf = s.buf;
    const at = n < 64 ? pos + 1 : pos + 2;
    let i = 0;
    for (; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    if (i === n) {
      if (n < 64) {
        buf[pos] = n << 1;
      } else {
        buf[pos] = 0x80; buf[pos + 1] = 0x01;
      }
      s.pos = at + n;
      return;
    }
  }
  // avsc encodes strings of up to 64 bytes with its own loop, which writes a lone surrogate as
  // three bytes of its own (ED A0 80 for D800), not as U+FFFD like Node's encoder: such strings
  // are left to it.
  if (!v.isWellFormed()) throw REFUSED;
  const length = Buffer.byteLength(v, 'utf8');
  writeCount(s, length);
  if (s.pos + length > s.buf.length) s.grow(length);
  (s.buf as Utf8Buffer).utf8Write(v, s.pos, length);
  s.pos += length;
}

function copyIn(s: Sink, bytes: Buffer): void {
  const n = bytes.length;
  const pos = s.pos;
  if (pos + n > s.buf.length) s.grow(n);
  const buf = s.buf;
  // Small values copied by a loop; larger ones by TypedArray set(), a builtin: Buffer's copy()
  // goes through a JS wrapper into C++ (5% of a write whose bytes values are 40-80 bytes).
  if (n <= 32) {
    for (let i = 0; i < n; i++) buf[pos + i] = bytes[i] as number;
  } else {
    buf.set(bytes, pos);
  }
  s.pos = pos + n;
}

function writeBytes(s: Sink, v: unknown): void {
  if (!Buffer.isBuffer(v)) throw REFUSED;
  writeCount(s, v.length);
  copyIn(s, v);
}

function fixedWriter(size: number): WriteValue {
  return (s, v) => {
    if (!Buffer.isBuffer(v) || v.length !== size) throw REFUSED;
    copyIn(s, v);
  };
}

// --- compiling a type -----------------------------------------------------------------------------

/** The parts of avsc's types this compiler reads. */
interface TypeNode {
  readonly typeName: string;
  readonly size?: number;
  readonly symbols?: readonly string[];
  readonly itemsType?: TypeNode;
  readonly valuesType?: TypeNode;
  readonly types?: readonly TypeNode[];
  readonly branchName?: string;
  readonly fields?: readonly { readonly name: string; readonly type: TypeNode }[];
  readonly underlyingType?: TypeNode;
  _toValue?(value: unknown): unknown;
  toBuffer?(value: unknown): Buffer;
}

/** A type the compiler does not know: the whole schema is encoded by avsc. */
class Unsupported extends Error {}

/** True when this long type is ours (impls/avro/types.ts bigintLong): BigInt values. */
function isBigIntLong(type: TypeNode): boolean {
  try {
    const bytes = type.toBuffer?.(-(2n ** 63n));
    return bytes?.equals(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])) === true;
  } catch {
    return false;
  }
}

function enumWriter(type: TypeNode): WriteValue {
  // A Map, not avsc's plain object: "toString" is no symbol here (avsc's lookup finds the inherited
  // function; such a value goes to avsc).
  const indices = new Map<unknown, number>((type.symbols ?? []).map((symbol, i) => [symbol, i]));
  return (s, v) => {
    const index = indices.get(v);
    if (index === undefined) throw REFUSED;
    writeCount(s, index);
  };
}

function arrayWriter(items: WriteValue): WriteValue {
  return (s, v) => {
    if (!Array.isArray(v)) throw REFUSED;
    const n = v.length;
    // One block of all items, then the empty block that ends the array (as avsc and Java write).
    if (n !== 0) {
      writeCount(s, n);
      for (let i = 0; i < n; i++) items(s, v[i]);
    }
    writeCount(s, 0);
  };
}

function mapWriter(values: WriteValue): WriteValue {
  return (s, v) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw REFUSED;
    const map = v as Record<string, unknown>;
    const keys = Object.keys(map);
    const n = keys.length;
    if (n !== 0) {
      writeCount(s, n);
      for (let i = 0; i < n; i++) {
        const key = keys[i] as string;
        writeString(s, key);
        values(s, map[key]);
      }
    }
    writeCount(s, 0);
  };
}

function unionWriter(type: TypeNode, compile: (t: TypeNode) => WriteValue): WriteValue {
  const branches = type.types ?? [];
  const writers = branches.map((branch) => compile(branch));
  const indices = new Map<string, number>();
  branches.forEach((branch, i) => { if (branch.branchName !== undefined) indices.set(branch.branchName, i); });
  const nullIndex = indices.get('null');
  return (s, v) => {
    if (v === null) {
      if (nullIndex === undefined) throw REFUSED;
      writeCount(s, nullIndex);
      return;
    }
    // A wrapped union value: an object with exactly one key, the branch's name.
    if (typeof v !== 'object') throw REFUSED;
    const keys = Object.keys(v);
    if (keys.length !== 1) throw REFUSED;
    const name = keys[0] as string;
    const index = indices.get(name);
    if (index === undefined) throw REFUSED;
    writeCount(s, index);
    (writers[index] as WriteValue)(s, (v as Record<string, unknown>)[name]);
  };
}

// Avro's name grammar: only such names go into generated source (avsc has checked them already).
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function recordWriter(type: TypeNode, compile: (t: TypeNode) => WriteValue): WriteValue {
  const fields = type.fields ?? [];
  for (const field of fields) if (!FIELD_NAME.test(field.name)) throw new Unsupported(`field name ${field.name}`);
  const writers = fields.map((field) => compile(field.type));
  // A function per record type with one call site per field (each stays monomorphic), as avsc's
  // own writer. A field left undefined is refused (by the field type's writer): avsc would write
  // its default, the writer's generic path does exactly that.
  const params = writers.map((_, i) => `w${i}`);
  const body = [
    'return function writeRecord(s, v) {',
    '  if (v === null || typeof v !== "object") throw REFUSED;',
    ...fields.map((field, i) => `  w${i}(s, v.${field.name});`),
    '};',
  ].join('\n');
  const make = new Function('REFUSED', ...params, body) as (...args: unknown[]) => WriteValue;
  return make(REFUSED, ...writers);
}

/**
 * Compiles the encoder of a writer's type, or undefined when the type has a part the compiler does
 * not know (the writer then encodes every record with avsc). Recursive types write through their
 * own encoder.
 */
export function compileWriter(root: AvroType): WriteValue | undefined {
  const compiled = new Map<TypeNode, WriteValue>();
  const compile = (type: TypeNode): WriteValue => {
    const known = compiled.get(type);
    if (known) return known;
    // A forward reference first, for records that contain themselves.
    let impl: WriteValue | undefined;
    compiled.set(type, (s, v) => (impl as WriteValue)(s, v));
    impl = build(type);
    compiled.set(type, impl);
    return impl;
  };
  const build = (type: TypeNode): WriteValue => {
    const name = type.typeName;
    switch (name) {
      case 'null': return writeNull;
      case 'boolean': return writeBoolean;
      case 'int': return writeInt;
      case 'abstract:long':
        if (isBigIntLong(type)) return writeBigLong;
        throw new Unsupported(name);
      case 'float': return writeFloat;
      case 'double': return writeDouble;
      case 'string': return writeString;
      case 'bytes': return writeBytes;
      case 'fixed': return fixedWriter(type.size ?? 0);
      case 'enum': return enumWriter(type);
      case 'array':
        if (type.itemsType) return arrayWriter(compile(type.itemsType));
        throw new Unsupported(name);
      case 'map':
        if (type.valuesType) return mapWriter(compile(type.valuesType));
        throw new Unsupported(name);
      case 'union:wrapped': return unionWriter(type, compile);
      case 'record':
      case 'error': return recordWriter(type, compile);
      default: {
        if (name.startsWith('logical:') && type.underlyingType && typeof type._toValue === 'function') {
          const underlying = compile(type.underlyingType);
          const toValue = type._toValue.bind(type);
          return (s, v) => {
            // What avsc's isValid refuses: _toValue throwing or giving nothing.
            let value: unknown;
            try {
              value = toValue(v);
            } catch {
              throw REFUSED;
            }
            if (value === undefined) throw REFUSED;
            underlying(s, value);
          };
        }
        throw new Unsupported(name);
      }
    }
  };
  try {
    return compile(root as unknown as TypeNode);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
