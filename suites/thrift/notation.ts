// The value notation of data/README.md, read against the IDL (type-directed) into the contract's
// canonical values (harness/contract/thrift.ts), the IDL's field defaults in the same form, the
// equality rules every implementation is judged by, and a readable rendering for failure messages.
import { SyntaxType, type ConstValue } from '@creditkarma/thrift-parser';
import type { WrittenAs } from '../../harness/contract/thrift.ts';
import { isWrittenAs } from '../../harness/contract/thrift.ts';
import { bytesFromNotation, floatFromNotation, textFromNotation } from '../notation.ts';
import type { Json } from './catalogue.ts';
import type { Idl, IdlField, IdlStruct, IdlType } from './idl.ts';

type JsonObject = { readonly [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads a notation value against an IDL type, into a canonical value. */
export function fromNotation(idl: Idl, type: IdlType, json: Json): unknown {
  switch (type.kind) {
    case 'void': return null;
    case 'bool': return json as boolean;
    case 'i8': case 'i16': case 'i32': return json as number;
    case 'i64': return BigInt(json as string | number);
    case 'double': return floatFromNotation(json, 'double');
    case 'string': return textFromNotation(json);
    case 'binary': return bytesFromNotation(json);
    case 'uuid': {
      const text = String(json).toLowerCase();
      if (!UUID.test(text)) throw new Error(`uuid notation must be the canonical 8-4-4-4-12 form, got ${JSON.stringify(json)}`);
      return text;
    }
    case 'enum': return typeof json === 'number' ? json : idl.enumValue(type.name, String(json));
    case 'list': case 'set': return (json as Json[]).map((item) => fromNotation(idl, type.element, item));
    case 'map': return new Map((json as [Json, Json][]).map(([k, v]) => [fromNotation(idl, type.key, k), fromNotation(idl, type.value, v)]));
    case 'struct': {
      if (!isObject(json)) throw new Error(`struct ${type.name} notation must be an object, got ${JSON.stringify(json)}`);
      if (typeof json['$as'] === 'string') {
        const as: WrittenAs = { writtenAs: json['$as'], value: structFromNotation(idl, idl.struct(json['$as']), json['value'] ?? {}) };
        return as;
      }
      return structFromNotation(idl, idl.struct(type.name), json);
    }
  }
}

function structFromNotation(idl: Idl, struct: IdlStruct, json: Json): Record<string, unknown> {
  if (!isObject(json)) throw new Error(`struct ${struct.name} notation must be an object`);
  const names = new Set(struct.fields.map((f) => f.name));
  for (const key of Object.keys(json)) if (!names.has(key)) throw new Error(`struct ${struct.name} has no field ${key}`);
  const out: Record<string, unknown> = {};
  for (const field of struct.fields) {
    const value = json[field.name];
    if (value !== undefined) out[field.name] = fromNotation(idl, field.type, value);
  }
  return out;
}

/** The arguments of a call, by name, as canonical values (absent arguments stay absent). */
export function argsFromNotation(idl: Idl, args: readonly IdlField[], json: Readonly<Record<string, Json>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of args) {
    const value = json[arg.name];
    if (value !== undefined) out[arg.name] = fromNotation(idl, arg.type, value);
  }
  return out;
}

/** An IDL default constant read against the field's type. */
function constValue(idl: Idl, type: IdlType, value: ConstValue): unknown {
  switch (value.type) {
    case SyntaxType.StringLiteral: return type.kind === 'binary' ? Buffer.from(value.value, 'utf8') : value.value;
    case SyntaxType.BooleanLiteral: return value.value;
    case SyntaxType.IntConstant: {
      const text = value.value.value;
      if (type.kind === 'i64') return BigInt(text);
      if (type.kind === 'bool') return Number(text) !== 0;
      return Number(text);
    }
    case SyntaxType.DoubleConstant: return Number(value.value.value);
    case SyntaxType.ConstList:
      return type.kind === 'list' || type.kind === 'set' ? value.elements.map((e) => constValue(idl, type.element, e)) : [];
    case SyntaxType.ConstMap:
      if (type.kind === 'map') return new Map(value.properties.map((p) => [constValue(idl, type.key, p.name), constValue(idl, type.value, p.initializer)]));
      if (type.kind === 'struct') {
        return Object.fromEntries(value.properties.map((p) => {
          const name = p.name.type === SyntaxType.StringLiteral ? p.name.value : String((p.name as { value: unknown }).value);
          const field = idl.struct(type.name).fields.find((f) => f.name === name);
          return [name, field ? constValue(idl, field.type, p.initializer) : undefined];
        }));
      }
      return undefined;
    case SyntaxType.Identifier: {
      // An enum constant: Color.GREEN (or a bare member name).
      if (type.kind !== 'enum') throw new Error(`constant ${value.value} for a ${type.kind}`);
      return idl.enumValue(type.name, value.value.split('.').at(-1) ?? value.value);
    }
  }
}

/**
 * A struct value with the IDL defaults filled in where a field is absent, recursively: what a
 * reader sees when a writer leaves out fields that have defaults. Every generated struct (Java,
 * Python, JS) starts with its fields' defaults, optional ones included, and writes them when set,
 * so both what a generated client sends and what any reader fills in carry them.
 */
export function withDefaults(idl: Idl, type: IdlType, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (type.kind) {
    case 'struct': {
      if (isWrittenAs(value)) return value;
      const struct = idl.struct(type.name);
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of struct.fields) {
        const present = record[field.name];
        if (present !== undefined) out[field.name] = withDefaults(idl, field.type, present);
        else if (field.defaultValue) out[field.name] = constValue(idl, field.type, field.defaultValue);
      }
      return out;
    }
    case 'list': case 'set': return (value as unknown[]).map((v) => withDefaults(idl, type.element, v));
    case 'map': return new Map([...(value as Map<unknown, unknown>)].map(([k, v]) => [k, withDefaults(idl, type.value, v)]));
    default: return value;
  }
}

/** Equality by the README's rules: doubles bit for bit by value (NaN = NaN, -0 != 0), sets and maps by content. */
export function thriftEquals(idl: Idl, type: IdlType, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  switch (type.kind) {
    case 'double': return Object.is(a, b);
    case 'binary': return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
    case 'uuid': return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
    case 'list': {
      const x = a as unknown[];
      const y = b as unknown[];
      return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => thriftEquals(idl, type.element, v, y[i]));
    }
    case 'set': {
      const x = a as unknown[];
      const y = b as unknown[];
      return Array.isArray(x) && Array.isArray(y) && x.length === y.length
        && x.every((v) => y.some((w) => thriftEquals(idl, type.element, v, w))) && y.every((w) => x.some((v) => thriftEquals(idl, type.element, v, w)));
    }
    case 'map': {
      if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
      for (const [key, value] of a) {
        const match = [...b].find(([k]) => thriftEquals(idl, type.key, key, k));
        if (!match || !thriftEquals(idl, type.value, value, match[1])) return false;
      }
      return true;
    }
    case 'struct': {
      if (isWrittenAs(a) || isWrittenAs(b)) return false;
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      return idl.struct(type.name).fields.every((f) => thriftEquals(idl, f.type, x[f.name], y[f.name]))
        && Object.keys(x).every((k) => x[k] === undefined || idl.struct(type.name).fields.some((f) => f.name === k))
        && Object.keys(y).every((k) => y[k] === undefined || idl.struct(type.name).fields.some((f) => f.name === k));
    }
    default: return a === b;
  }
}

/** A readable rendering of a canonical value (bytes shortened, i64 with an n, maps as pairs). */
export function show(value: unknown): string {
  const seen = (v: unknown): unknown => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return Object.is(v, -0) ? '-0' : String(v);
    if (v instanceof Uint8Array) {
      const b = Buffer.from(v);
      return `<${b.length} bytes ${b.subarray(0, 32).toString('hex')}${b.length > 32 ? '...' : ''}>`;
    }
    if (v instanceof Map) return { $map: [...v].map(([k, x]) => [seen(k), seen(x)]) };
    if (typeof v === 'string' && v.length > 200) return `${v.slice(0, 100)}...(${v.length} chars)`;
    if (Array.isArray(v)) return v.length > 50 ? [...v.slice(0, 20).map(seen), `...(${v.length} items)`] : v.map(seen);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) Object.defineProperty(out, key, { value: seen((v as Record<string, unknown>)[key]), enumerable: true });
      return out;
    }
    return v;
  };
  return JSON.stringify(seen(value)) ?? 'undefined';
}
