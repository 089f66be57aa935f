// The value notation of suites/thrift/data/README.md, both ways: notation -> the values the
// generated js:node code takes, and generated values -> a canonical JSON form that compares
// bit-exactly (doubles by bits, i64 as exact decimal strings, sets and maps order-free).
import { ExactInt64, i64ToBigInt } from '../../impls/npm-thrift/int64.ts';
import { generated, type StructClass } from '../../impls/npm-thrift/runtime.ts';
import { elemType, fieldType, keyType, valueType, type Idl, type IdlType } from './idl.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DOUBLES: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0.0': -0 };

function expandBytes(v: Json): Buffer {
  const o = v as Record<string, Json>;
  if (typeof o['$hex'] === 'string') return Buffer.from(o['$hex'], 'hex');
  if (Array.isArray(o['$range'])) {
    const [lo, hi] = o['$range'] as number[];
    return Buffer.from(Array.from({ length: (hi ?? 0) - (lo ?? 0) + 1 }, (_, i) => (lo ?? 0) + i));
  }
  const repeat = o['$repeat'] as { hex: string; count: number } | undefined;
  if (repeat) return Buffer.from(repeat.hex.repeat(repeat.count), 'hex');
  throw new Error(`bad binary notation ${JSON.stringify(v)}`);
}

export function expandText(v: Json): string {
  if (typeof v === 'string') return v;
  const text = (v as { $text?: { prefix?: string; repeat: string; count: number } }).$text;
  if (!text) throw new Error(`bad string notation ${JSON.stringify(v)}`);
  return (text.prefix ?? '') + text.repeat.repeat(text.count);
}

function structClass(name: string): StructClass {
  const cls = generated.types[name];
  if (typeof cls !== 'function') throw new Error(`no generated class ${name}`);
  return cls;
}

/** The key under which generated code keeps a map entry (it uses plain objects). */
function mapKey(idl: Idl, t: IdlType, v: Json): string {
  const value = toGenerated(idl, t, v);
  return String(value);
}

/**
 * Notation -> generated value. Struct fields the notation leaves out are unset, as the notation
 * says; with idlDefaults they keep the IDL default the generated constructor fills in (what a
 * generated client sends, and what a server's reader fills in for a field not sent).
 */
export function toGenerated(idl: Idl, t: IdlType, v: Json, idlDefaults = false): unknown {
  if (v === null) return null;
  switch (t.typeId) {
    case 'bool': case 'i8': case 'i16': case 'i32': return v;
    case 'i64': return ExactInt64.fromBigInt(BigInt(v as number | string));
    case 'double': return typeof v === 'string' ? DOUBLES[v] : v;
    case 'string': return expandText(v);
    case 'binary': return expandBytes(v);
    case 'enum': {
      const value = idl.enums.get(t.class ?? '')?.get(v as string);
      if (value === undefined) throw new Error(`no ${t.class}.${String(v)}`);
      return value;
    }
    case 'struct': case 'union': case 'exception': {
      const spec = idl.structs.get(t.class ?? '');
      if (!spec) throw new Error(`no struct ${t.class}`);
      const given = v as Record<string, Json>;
      const unknown = Object.keys(given).filter((k) => !spec.fields.some((f) => f.name === k));
      if (unknown.length > 0) throw new Error(`${t.class} has no fields ${unknown.join(', ')}`);
      const fields: Record<string, unknown> = {};
      for (const f of spec.fields) if (f.name in given) fields[f.name] = toGenerated(idl, fieldType(f), given[f.name] ?? null, idlDefaults);
      const instance = new (structClass(spec.name))(fields);
      // The constructor filled in IDL defaults; the notation says exactly which fields are set.
      if (!idlDefaults) for (const f of spec.fields) if (!(f.name in given)) instance[f.name] = null;
      return instance;
    }
    case 'list': case 'set': return (v as Json[]).map((x) => toGenerated(idl, elemType(t), x, idlDefaults));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as [Json, Json][]) {
        // defineProperty: a key such as "__proto__" must become an own entry, not the prototype.
        Object.defineProperty(out, mapKey(idl, keyType(t), k), {
          value: toGenerated(idl, valueType(t), x, idlDefaults), enumerable: true, writable: true, configurable: true,
        });
      }
      return out;
    }
    default: throw new Error(`unhandled IDL type ${t.typeId}`);
  }
}

function canonicalKey(t: IdlType, key: string): unknown {
  switch (t.typeId) {
    case 'i64': return ExactInt64.fromBigInt(BigInt(key));
    case 'i8': case 'i16': case 'i32': case 'enum': return Number(key);
    case 'bool': return key === 'true';
    default: return key;
  }
}

const sortByJson = (a: Json, b: Json): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

/** Generated value -> canonical JSON. */
export function canonical(idl: Idl, t: IdlType, v: unknown): Json {
  if (v === null || v === undefined) return null;
  switch (t.typeId) {
    case 'void': return null;
    case 'i64': return i64ToBigInt(v).toString();
    case 'double': {
      const d = v as number;
      if (Number.isNaN(d)) return 'NaN';
      if (d === Infinity) return 'Infinity';
      if (d === -Infinity) return '-Infinity';
      if (Object.is(d, -0)) return '-0.0';
      return d;
    }
    case 'binary': return Buffer.isBuffer(v) ? { $hex: v.toString('hex') } : { $notBinary: String(v) };
    case 'enum': {
      for (const [name, value] of idl.enums.get(t.class ?? '') ?? []) if (value === v) return name;
      return { $unknownEnumValue: v as number };
    }
    case 'struct': case 'union': case 'exception': {
      const spec = idl.structs.get(t.class ?? '');
      const record = v as Record<string, unknown>;
      const out: Record<string, Json> = {};
      for (const f of spec?.fields ?? []) {
        const value = record[f.name];
        if (value !== null && value !== undefined) out[f.name] = canonical(idl, fieldType(f), value);
      }
      return out;
    }
    case 'list': return (v as unknown[]).map((x) => canonical(idl, elemType(t), x));
    case 'set': return (v as unknown[]).map((x) => canonical(idl, elemType(t), x)).sort(sortByJson);
    case 'map': {
      const pairs: Json[] = Object.keys(v as object).map((k) =>
        [canonical(idl, keyType(t), canonicalKey(keyType(t), k)), canonical(idl, valueType(t), (v as Record<string, unknown>)[k])]);
      return pairs.sort((a, b) => sortByJson((a as Json[])[0] ?? null, (b as Json[])[0] ?? null));
    }
    default: return v as Json;
  }
}

/** Notation -> canonical JSON, through the generated value (so defaults and enums resolve alike). */
export function canonicalOf(idl: Idl, t: IdlType, v: Json, idlDefaults = false): Json {
  return canonical(idl, t, toGenerated(idl, t, v, idlDefaults));
}
