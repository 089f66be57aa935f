// The value notation of suites/avro/data/README.md, read against an avsc type (schema-directed),
// and the equality rules every implementation uses to compare answers.
import type { AvroType } from '../../impls/avro/types.ts';
import { parseDecimal, type Decimal } from '../../impls/avro/decimal.ts';
import { bytesFromNotation, floatFromNotation, textFromNotation } from '../notation.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Fielded { fields: { name: string; type: AvroType }[] }
interface Itemed { itemsType: AvroType }
interface Valued { valuesType: AvroType }
interface Branched { types: AvroType[] }
interface Scaled { _scale?: number; scale?: number }

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface EventsSpec { readonly count: number; readonly bodyBytes: number; readonly headers?: Record<string, string> }

/**
 * The `$events` generator (data/programs/README.md) in plain notation: event i has the given
 * headers plus "seq": "<i>" and a body of bodyBytes bytes, byte j being (i + j) mod 256. Any other
 * value is returned as it is.
 */
export function expandEvents(json: Json): Json {
  const spec = json && typeof json === 'object' && !Array.isArray(json) ? json['$events'] : undefined;
  if (spec === undefined) return json;
  const { count, bodyBytes, headers } = spec as unknown as EventsSpec;
  return Array.from({ length: count }, (_, i) => {
    const body = Buffer.alloc(bodyBytes);
    for (let j = 0; j < bodyBytes; j++) body[j] = (i + j) & 0xff;
    return { headers: { ...headers, seq: String(i) }, body: { $hex: body.toString('hex') } };
  });
}

/** Turns case notation into the value our Avro types take (BigInt longs, Buffers, wrapped unions). */
export function fromNotation(type: AvroType, json: Json): unknown {
  switch (type.typeName) {
    case 'null': return null;
    case 'boolean': return json as boolean;
    case 'int': return json as number;
    case 'long': case 'abstract:long': return BigInt(json as string | number);
    case 'float': return Math.fround(floatFromNotation(json, 'float'));
    case 'double': return floatFromNotation(json, 'double');
    case 'bytes': case 'fixed': return bytesFromNotation(json);
    case 'string': return textFromNotation(json);
    case 'enum': return json as string;
    case 'array': return (expandEvents(json) as Json[]).map((item) => fromNotation((type as unknown as Itemed).itemsType, item));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(json as Record<string, Json>)) {
        Object.defineProperty(out, key, { value: fromNotation((type as unknown as Valued).valuesType, value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'union:wrapped': {
      if (json === null) return null;
      const [branch, value] = Object.entries(json as Record<string, Json>)[0] ?? [];
      const branchType = (type as unknown as Branched).types.find((t) => branchName(t) === branch);
      if (!branchType || value === undefined) throw new Error(`union has no branch ${String(branch)}`);
      return { [branchName(branchType)]: fromNotation(branchType, value) };
    }
    case 'record': case 'error': {
      const record: Record<string, unknown> = {};
      for (const field of (type as unknown as Fielded).fields) {
        const value = (json as Record<string, Json>)[field.name];
        if (value !== undefined) record[field.name] = fromNotation(field.type, value);
      }
      return record;
    }
    case 'logical:decimal': {
      const text = isObject(json) ? String(json['$decimal']) : String(json);
      const scaled = type as unknown as Scaled;
      return parseDecimal(text, scaled._scale ?? scaled.scale ?? decimalScale(type));
    }
    default:
      throw new Error(`no notation for Avro type ${type.typeName}`);
  }
}

function decimalScale(type: AvroType): number {
  return (type.schema() as { scale?: number }).scale ?? 0;
}

/** The key avsc (and Avro's JSON encoding) uses for a union branch: full name or type name. */
export function branchName(type: AvroType): string {
  return (type as unknown as { branchName: string }).branchName;
}

/** Equality by the README's rules: floats by value bit for bit (NaN = NaN, -0 != 0), maps by keys. */
export function avroEquals(type: AvroType, a: unknown, b: unknown): boolean {
  switch (type.typeName) {
    case 'float': case 'double': return Object.is(a, b);
    case 'bytes': case 'fixed': return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
    case 'array': {
      const items = (type as unknown as Itemed).itemsType;
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => avroEquals(items, x, b[i]));
    }
    case 'map': {
      const values = (type as unknown as Valued).valuesType;
      const ma = a as Record<string, unknown>;
      const mb = b as Record<string, unknown>;
      const ka = Object.keys(ma).sort();
      const kb = Object.keys(mb).sort();
      return ka.length === kb.length && ka.every((k, i) => k === kb[i] && avroEquals(values, ma[k], mb[k]));
    }
    case 'union:wrapped': {
      if (a === null || b === null) return a === b;
      const [ba, va] = Object.entries(a as object)[0] ?? [];
      const [bb, vb] = Object.entries(b as object)[0] ?? [];
      const branch = (type as unknown as Branched).types.find((t) => branchName(t) === ba);
      return ba === bb && branch !== undefined && avroEquals(branch, va, vb);
    }
    case 'record': case 'error': {
      const ra = a as Record<string, unknown>;
      const rb = b as Record<string, unknown>;
      return (type as unknown as Fielded).fields.every((f) => avroEquals(f.type, ra[f.name], rb[f.name]));
    }
    case 'logical:decimal': {
      const da = a as Decimal;
      const db = b as Decimal;
      return da.unscaled === db.unscaled && da.scale === db.scale;
    }
    default: return a === b;
  }
}

/** A readable rendering of a value for failure messages (bytes shortened, BigInt as text). */
export function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'number' && Object.is(v, -0)) return '-0';
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') {
      const data = (v as { data: number[] }).data;
      return `<${data.length} bytes ${Buffer.from(data.slice(0, 32)).toString('hex')}${data.length > 32 ? '...' : ''}>`;
    }
    return v;
  }) ?? 'undefined';
}
