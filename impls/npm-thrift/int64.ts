// i64 without precision loss. npm thrift reads i64 as node-int64 objects whose toString() goes
// through a double (wrong beyond 2^53, and that toString is what becomes a JS object key for
// map<i64, _>), and its writeI64 parses a string argument as hexadecimal. Our protocols read an
// ExactInt64 (exact decimal toString, so map keys stay exact) and write any of bigint, safe
// number, decimal string or Int64 object exactly.
import { Int64 } from './runtime.ts';
import type { Int64Like } from './runtime.ts';

export class ExactInt64 extends Int64 {
  toBigInt(): bigint {
    return this.buffer.readBigInt64BE(this.offset);
  }

  override toString(): string {
    return this.toBigInt().toString();
  }

  static fromBigInt(value: bigint): ExactInt64 {
    if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new RangeError(`i64 out of range: ${value}`);
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(value);
    return new ExactInt64(buffer, 0);
  }
}

function isInt64(value: unknown): value is Int64Like {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as Int64Like).buffer);
}

/** Any i64 notation our code or generated code hands to writeI64, as an exact Int64. */
export function toExactInt64(value: unknown): ExactInt64 {
  if (value instanceof ExactInt64) return value;
  if (isInt64(value)) return new ExactInt64(Buffer.from(value.buffer.subarray(value.offset, value.offset + 8)), 0);
  if (typeof value === 'bigint') return ExactInt64.fromBigInt(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`i64 given as an unsafe number: ${value}`);
    return ExactInt64.fromBigInt(BigInt(value));
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return ExactInt64.fromBigInt(BigInt(value));
  throw new TypeError(`not an i64: ${String(value)}`);
}

/** The exact value of an i64 read by our protocols (or any Int64 object). */
export function i64ToBigInt(value: unknown): bigint {
  return toExactInt64(value).toBigInt();
}
