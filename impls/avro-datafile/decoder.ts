// A record decoder compiled from the writer's avsc type, for reading a data file with the
// writer's own schema (no reader schema). avsc's type.decode costs most of a read: a Tap and a
// result object per record, a resolver check, and our BigInt long type unpacking every long into
// an 8-byte Buffer first. This decoder reads the same bytes into the same values (the type's own
// record and union-branch constructors, BigInt longs, copied bytes and fixed, maps built so that
// a "__proto__" key is an entry) with one cursor per block, and checks every length and count
// against the bytes left before it allocates or loops:
// - a value that runs past the block throws RecordTruncated (the reader reports the block);
// - a negative length, an unknown union or enum index, a count that the bytes left cannot hold
//   or beyond the item budget throws an Error naming it (the reader reports bad data).
// Types it does not know (none of avsc's today) are read by avsc itself through a Tap.
import { createRequire } from 'node:module';
import { minBytes } from '../avro/decode.ts';
import { DEFAULT_LIMITS, LimitError } from '../avro/limits.ts';
import type { AvroType } from './schema.ts';

/** Node's Buffer, with the method behind toString('utf8', start, end) (no argument checks). */
interface Utf8Buffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/** The bytes of one block and where the next value starts. */
export class Cursor {
  buf: Utf8Buffer;
  view: DataView;
  pos = 0;
  end: number;
  /** Array items and map entries the current record may still declare (all its collections). */
  itemsLeft = 0;

  constructor(buf: Buffer) {
    this.buf = buf as Utf8Buffer;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = buf.length;
  }
}

/** A value ran past the end of its block. */
export class RecordTruncated extends Error {
  override readonly name = 'RecordTruncated';
}

export type ReadValue = (c: Cursor) => unknown;

/** Items one record may declare in all its arrays and maps (impls/avro's per-message bound). */
export const RECORD_ITEM_BUDGET = DEFAULT_LIMITS.maxCollectionItems;

// --- primitives ---------------------------------------------------------------------------------

function truncated(what: string, c: Cursor): never {
  throw new RecordTruncated(`${what} at byte ${c.pos} runs past the end of the block (${c.end} bytes)`);
}

/** A zig-zag varint as a number (avsc's int and number-long reading; exact up to 2^53). */
export function readVarNumber(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  if (pos >= c.end) truncated('a varint', c);
  let b = buf[pos++] as number;
  if (b < 0x80) {
    c.pos = pos;
    return (b >>> 1) ^ -(b & 1);
  }
  // Up to 28 bits in integer arithmetic, then in floating point (a 32-bit shift would overflow).
  let n = b & 0x7f;
  let shift = 7;
  do {
    if (pos >= c.end) { c.pos = pos; truncated('a varint', c); }
    b = buf[pos++] as number;
    n |= (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80 && shift < 28);
  if (b < 0x80) {
    c.pos = pos;
    return (n >>> 1) ^ -(n & 1);
  }
  let f = n;
  let scale = 268435456; // 2^28
  for (let k = 4; b >= 0x80; k++) {
    if (k >= 10) { c.pos = pos; throw new Error(`varint at byte ${pos} is longer than 10 bytes`); }
    if (pos >= c.end) { c.pos = pos; truncated('a varint', c); }
    b = buf[pos++] as number;
    f += (b & 0x7f) * scale;
    scale *= 128;
  }
  c.pos = pos;
  return f % 2 === 1 ? -(f + 1) / 2 : f / 2;
}

// The two 32-bit halves of a long go through this scratch memory to become one BigInt: a single
// allocation, where shifting and or-ing BigInts would make five.
const scratch = new BigInt64Array(1);
const halves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;

/** A zig-zag varint as a BigInt over the whole signed 64-bit range. */
export function readVarBigInt(c: Cursor): bigint {
  const buf = c.buf;
  const end = c.end;
  let pos = c.pos;
  // Bits 0-27 (four bytes) in low, bits 28-34 split between low and high, the rest in high.
  let low = 0;
  let high = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) { c.pos = pos; truncated('a long', c); }
    b = buf[pos++] as number;
    low |= (b & 0x7f) << shift;
    if (b < 0x80) {
      c.pos = pos;
      return BigInt((low >>> 1) ^ -(low & 1));
    }
  }
  if (pos >= end) { c.pos = pos; truncated('a long', c); }
  b = buf[pos++] as number;
  low |= (b & 0x0f) << 28;
  high = (b & 0x7f) >>> 4;
  for (let shift = 3; b >= 0x80; shift += 7) {
    if (shift > 31) { c.pos = pos; throw new Error(`long at byte ${pos} is longer than 10 bytes`); }
    if (pos >= end) { c.pos = pos; truncated('a long', c); }
    b = buf[pos++] as number;
    high |= (b & 0x7f) << shift;
  }
  c.pos = pos;
  // Zig-zag on the two halves: shift the 64 bits right by one, flip all when the low bit is set.
  const sign = -(low & 1);
  halves[LOW] = ((low >>> 1) | (high << 31)) ^ sign;
  halves[HIGH] = (high >>> 1) ^ sign;
  return scratch[0] as bigint;
}

function readLength(c: Cursor, what: string): number {
  const n = readVarNumber(c);
  if (n < 0) throw new Error(`${what} at byte ${c.pos} declares a negative length (${n})`);
  if (n > c.end - c.pos) truncated(`${what} of ${n} bytes`, c);
  return n;
}

// Short ASCII strings (tags, codes, enum-like values) are made by one String.fromCharCode call:
// below about 9 bytes that costs less than a call into C++ (utf8Slice, ~75 ns measured; the call
// for 5 bytes 32 ns, a loop adding one character at a time 57 ns); longer ones, or any byte of
// 0x80 and above, go to utf8Slice.
const SHORT_STRING = 8;

function readString(c: Cursor): string {
  const n = readLength(c, 'a string');
  const buf = c.buf;
  const s = c.pos;
  c.pos = s + n;
  if (n > SHORT_STRING) return buf.utf8Slice(s, s + n);
  let bits = 0;
  for (let i = s; i < s + n; i++) bits |= buf[i] as number;
  if (bits >= 0x80) return buf.utf8Slice(s, s + n);
  const at = (k: number): number => buf[s + k] as number;
  switch (n) {
    case 0: return '';
    case 1: return String.fromCharCode(at(0));
    case 2: return String.fromCharCode(at(0), at(1));
    case 3: return String.fromCharCode(at(0), at(1), at(2));
    case 4: return String.fromCharCode(at(0), at(1), at(2), at(3));
    case 5: return String.fromCharCode(at(0), at(1), at(2), at(3), at(4));
    case 6: return String.fromCharCode(at(0), at(1), at(2), at(3), at(4), at(5));
    case 7: return String.fromCharCode(at(0), at(1), at(2), at(3), at(4), at(5), at(6));
    default: return String.fromCharCode(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7));
  }
}

function copyOut(c: Cursor, n: number): Buffer {
  const start = c.pos;
  c.pos = start + n;
  const out = Buffer.allocUnsafe(n);
  const buf = c.buf;
  // Small values copied by a loop: set() or copy() cost a native call and a view each.
  if (n <= 32) {
    for (let i = 0; i < n; i++) out[i] = buf[start + i] as number;
  } else {
    buf.copy(out, 0, start, start + n);
  }
  return out;
}

function readBytes(c: Cursor): Buffer {
  return copyOut(c, readLength(c, 'a bytes value'));
}

function readBoolean(c: Cursor): boolean {
  if (c.pos >= c.end) truncated('a boolean', c);
  return c.buf[c.pos++] !== 0;
}

function readFloat(c: Cursor): number {
  const pos = c.pos;
  if (pos + 4 > c.end) truncated('a float', c);
  c.pos = pos + 4;
  return c.view.getFloat32(pos, true);
}

function readDouble(c: Cursor): number {
  const pos = c.pos;
  if (pos + 8 > c.end) truncated('a double', c);
  c.pos = pos + 8;
  return c.view.getFloat64(pos, true);
}

function readNull(): null {
  return null;
}

// --- collections --------------------------------------------------------------------------------

/** One block header of an array or map: its item count, checked; 0 ends the collection. */
function readBlockCount(c: Cursor, kind: string, minItemBytes: number): number {
  let count = readVarNumber(c);
  if (count === 0) return 0;
  if (count < 0) {
    count = -count;
    const size = readVarNumber(c);
    if (size < 0 || size > c.end - c.pos) throw new LimitError(`${kind} block at byte ${c.pos} declares a size of ${size} bytes but ${c.end - c.pos} are left`);
  }
  if (!Number.isSafeInteger(count)) throw new LimitError(`${kind} block declares ${count} items`);
  const left = c.end - c.pos;
  if (minItemBytes > 0 && count * minItemBytes > left) {
    throw new LimitError(`${kind} declares ${count} items of at least ${minItemBytes} byte${minItemBytes === 1 ? '' : 's'} each, but only ${left} bytes are left`);
  }
  if (count > c.itemsLeft) throw new LimitError(`${kind} declares ${count} items, more than the ${c.itemsLeft} this record may still declare`);
  c.itemsLeft -= count;
  return count;
}

function arrayReader(items: ReadValue, minItemBytes: number): ReadValue {
  return (c) => {
    const values: unknown[] = [];
    for (let n = readBlockCount(c, 'array', minItemBytes); n !== 0; n = readBlockCount(c, 'array', minItemBytes)) {
      for (let i = 0; i < n; i++) values.push(items(c));
    }
    return values;
  };
}

function mapReader(values: ReadValue, minEntryBytes: number): ReadValue {
  return (c) => {
    const map: Record<string, unknown> = {};
    for (let n = readBlockCount(c, 'map', minEntryBytes); n !== 0; n = readBlockCount(c, 'map', minEntryBytes)) {
      for (let i = 0; i < n; i++) {
        const key = readString(c);
        const value = values(c);
        // An own entry even for "__proto__" (plain assignment would set the prototype).
        if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
        else map[key] = value;
      }
    }
    return map;
  };
}

// --- compiling a type -----------------------------------------------------------------------------

/** The parts of avsc's types this compiler reads. */
interface TypeNode {
  readonly typeName: string;
  readonly size?: number;
  readonly symbols?: readonly string[];
  readonly name?: string;
  readonly itemsType?: TypeNode;
  readonly valuesType?: TypeNode;
  readonly types?: readonly TypeNode[];
  readonly fields?: readonly { readonly type: TypeNode }[];
  readonly recordConstructor?: new (...values: unknown[]) => unknown;
  readonly underlyingType?: TypeNode;
  readonly _branchConstructor?: (new (value: unknown) => unknown) | null;
  _fromValue?(value: unknown): unknown;
  fromBuffer?(buf: Buffer): unknown;
  _read(tap: AvscTap): unknown;
}

interface AvscTap { pos: number; isValid(): boolean }
const Tap = (createRequire(import.meta.url)('avsc/lib/utils.js') as { Tap: new (buf: Buffer, pos: number) => AvscTap }).Tap;

/** A type this compiler does not know, read by avsc through a Tap on the block. */
function avscReader(type: TypeNode): ReadValue {
  return (c) => {
    const tap = new Tap(c.end === c.buf.length ? c.buf : c.buf.subarray(0, c.end), c.pos);
    const value = type._read(tap);
    if (!tap.isValid()) truncated(`a ${type.typeName} value`, c);
    c.pos = tap.pos;
    return value;
  };
}

/** True when this long type is ours (impls/avro/types.ts bigintLong): BigInt values. */
function isBigIntLong(type: TypeNode): boolean {
  try {
    return typeof type.fromBuffer?.(Buffer.from([0x02])) === 'bigint';
  } catch {
    return false;
  }
}

function enumReader(type: TypeNode): ReadValue {
  const symbols = type.symbols ?? [];
  return (c) => {
    const index = readVarNumber(c);
    const symbol = symbols[index];
    if (symbol === undefined) throw new Error(`invalid ${type.name ?? 'enum'} enum index: ${index}`);
    return symbol;
  };
}

function fixedReader(size: number): ReadValue {
  return (c) => {
    if (size > c.end - c.pos) truncated(`a fixed of ${size} bytes`, c);
    return copyOut(c, size);
  };
}

function unionReader(type: TypeNode, compile: (t: TypeNode) => ReadValue): ReadValue {
  const branches = type.types ?? [];
  const readers = branches.map((branch) => compile(branch));
  const wrappers = branches.map((branch) => branch._branchConstructor ?? null);
  return (c) => {
    const index = readVarNumber(c);
    const read = readers[index];
    if (read === undefined) throw new Error(`invalid union index ${index} (${readers.length} branches)`);
    const Wrapper = wrappers[index] ?? null;
    return Wrapper === null ? null : new Wrapper(read(c));
  };
}

function recordReader(type: TypeNode, compile: (t: TypeNode) => ReadValue): ReadValue {
  const Record = type.recordConstructor;
  if (!Record) return avscReader(type);
  const readers = (type.fields ?? []).map((field) => compile(field.type));
  // A function per record type with one call site per field (each stays monomorphic) and the
  // record built in one constructor call, as avsc's own reader does. Only indices go into the
  // source text, never a name from the schema.
  const params = readers.map((_, i) => `r${i}`);
  const body = `return function readRecord(c) { return new Record(${params.map((p) => `${p}(c)`).join(', ')}); };`;
  const make = new Function('Record', ...params, body) as (...args: unknown[]) => ReadValue;
  return make(Record, ...readers);
}

/** Compiles the reader of a writer's type; recursive types read through their own reader. */
export function compileReader(root: AvroType): ReadValue {
  const compiled = new Map<TypeNode, ReadValue>();
  const compile = (type: TypeNode): ReadValue => {
    const known = compiled.get(type);
    if (known) return known;
    // A forward reference first, for records that contain themselves.
    let impl: ReadValue | undefined;
    compiled.set(type, (c) => (impl as ReadValue)(c));
    impl = build(type);
    compiled.set(type, impl);
    return impl;
  };
  const build = (type: TypeNode): ReadValue => {
    const name = type.typeName;
    switch (name) {
      case 'null': return readNull;
      case 'boolean': return readBoolean;
      case 'int': return readVarNumber;
      case 'long': return readVarNumber;
      case 'abstract:long': return isBigIntLong(type) ? readVarBigInt : avscReader(type);
      case 'float': return readFloat;
      case 'double': return readDouble;
      case 'string': return readString;
      case 'bytes': return readBytes;
      case 'fixed': return fixedReader(type.size ?? 0);
      case 'enum': return enumReader(type);
      case 'array': return type.itemsType ? arrayReader(compile(type.itemsType), minBytes(type.itemsType)) : avscReader(type);
      case 'map': return type.valuesType ? mapReader(compile(type.valuesType), minBytes(type.valuesType) + 1) : avscReader(type);
      case 'union:wrapped': return unionReader(type, compile);
      case 'record':
      case 'error': return recordReader(type, compile);
      default: {
        if (name.startsWith('logical:') && type.underlyingType && typeof type._fromValue === 'function') {
          const underlying = compile(type.underlyingType);
          return (c) => (type._fromValue as (v: unknown) => unknown)(underlying(c));
        }
        return avscReader(type);
      }
    }
  };
  return compile(root as unknown as TypeNode);
}
