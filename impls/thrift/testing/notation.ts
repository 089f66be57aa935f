// The case catalogue's value notation (suites/thrift/data/README.md) against our value model, both
// ways: notation -> values our client and server take, values -> a canonical JSON that compares
// exactly (doubles by value and sign, i64 as decimal text, sets and maps order-free).
import type { Idl, ThriftType } from '../idl/model.ts';
import { WrittenAs } from '../values.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DOUBLES: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0.0': -0 };

export function expandBytes(v: Json): Buffer {
  const o = v as Record<string, Json>;
  if (typeof o['$hex'] === 'string') return Buffer.from(o['$hex'], 'hex');
  if (Array.isArray(o['$range'])) {
    const [lo = 0, hi = 0] = o['$range'] as number[];
    return Buffer.from(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
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

/** Notation -> value model. */
export function fromNotation(idl: Idl, type: ThriftType, v: Json): unknown {
  if (v === null) return undefined;
  switch (type.kind) {
    case 'bool': case 'i8': case 'i16': case 'i32': return v;
    case 'i64': return BigInt(v as number | string);
    case 'double': return typeof v === 'string' ? DOUBLES[v] : v;
    case 'string': return expandText(v);
    case 'binary': return expandBytes(v);
    case 'uuid': return (v as string).toLowerCase();
    case 'enum': {
      const value = type.def.values.get(v as string);
      if (value === undefined) throw new Error(`no ${type.def.name}.${String(v)}`);
      return value;
    }
    case 'struct': {
      const given = v as Record<string, Json>;
      if (typeof given['$as'] === 'string') {
        const def = idl.struct(given['$as']);
        return new WrittenAs(def.name, fromNotation(idl, { kind: 'struct', def }, given['value'] ?? {}) as Record<string, unknown>);
      }
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(given)) {
        const field = type.def.byName.get(name);
        if (!field) throw new Error(`${type.def.name} has no field ${name}`);
        Object.defineProperty(out, name, { value: fromNotation(idl, field.type, value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'list': case 'set': return (v as Json[]).map((x) => fromNotation(idl, type.elem, x));
    case 'map': return new Map((v as [Json, Json][]).map(([k, x]) => [fromNotation(idl, type.key, k), fromNotation(idl, type.value, x)]));
  }
}

const byJson = (a: Json, b: Json): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Value model -> canonical JSON. */
export function canonical(type: ThriftType | undefined, v: unknown): Json {
  if (v === undefined || v === null || type === undefined) return null;
  switch (type.kind) {
    case 'i64': return typeof v === 'bigint' ? v.toString() : { $notBigint: String(v) };
    case 'double': {
      const d = v as number;
      if (Number.isNaN(d)) return 'NaN';
      if (d === Infinity) return 'Infinity';
      if (d === -Infinity) return '-Infinity';
      if (Object.is(d, -0)) return '-0.0';
      return d;
    }
    case 'binary': return Buffer.isBuffer(v) ? { $hex: v.toString('hex') } : { $notBinary: String(v) };
    case 'enum': return type.def.names.get(v as number) ?? { $unknownEnumValue: v as number };
    case 'struct': {
      const record = v instanceof WrittenAs ? v.value : v as Record<string, unknown>;
      const out: Record<string, Json> = {};
      for (const field of type.def.fields) {
        const value = Object.hasOwn(record, field.name) ? record[field.name] : undefined;
        if (value !== undefined && value !== null) out[field.name] = canonical(field.type, value);
      }
      return out;
    }
    case 'list': return (v as unknown[]).map((x) => canonical(type.elem, x));
    case 'set': return (v as unknown[]).map((x) => canonical(type.elem, x)).sort(byJson);
    case 'map': return [...(v as Map<unknown, unknown>)].map(([k, x]): Json => [canonical(type.key, k), canonical(type.value, x)]).sort((a, b) => byJson((a as Json[])[0] ?? null, (b as Json[])[0] ?? null));
    default: return v as Json;
  }
}
