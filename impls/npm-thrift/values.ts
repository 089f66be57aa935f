// The contract's canonical values (harness/contract/thrift.ts) to and from what the generated
// js:node,es6 code takes and gives, type by type from the IDL:
//
//   canonical                generated code
//   i64 bigint               node-int64 Int64 (npm thrift 0.24's own fromBigInt / toBigInt)
//   binary Buffer            Buffer
//   map Map                  plain object (the only map the generated code knows); keys as strings
//   struct plain object      an instance of the generated class, made with its constructor
//   enum number, others      as they are
//
// The conversion adds nothing and repairs nothing: a map key the generated code loses stays lost,
// and a value the generated code reads in a form that has no canonical value (an i64 map key read
// as "Infinity") is an error that says so, never a guess.
import { isWrittenAs } from '../../harness/contract/thrift.ts';
import type { Idl, IdlType } from './idl.ts';
import { isInt64, structClass, thrift } from './runtime.ts';

/** A value the generated code has no way to take (the case cannot be run this way). */
export class CannotExpress extends Error {
  override readonly name = 'CannotExpress';
}

/** Own, enumerable, writable: also for a key like "__proto__", which an assignment would not add. */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How a canonical map key becomes a property name of the plain object the generated code iterates. */
function keyString(type: IdlType, key: unknown): string {
  switch (type.kind) {
    case 'string': return String(key);
    case 'bool': case 'i8': case 'i16': case 'i32': case 'enum': case 'double':
      return String(key);
    // The generated writer hands this string to writeI64 as it is (for (k in map) writeI64(k)).
    case 'i64': return String(key);
    default: throw new CannotExpress(`a plain-object map cannot have ${type.kind} keys`);
  }
}

/** A property name the generated reader made back into the key type's canonical value. */
function keyValue(type: IdlType, key: string): unknown {
  switch (type.kind) {
    case 'string': return key;
    case 'bool':
      if (key === 'true' || key === 'false') return key === 'true';
      break;
    case 'i8': case 'i16': case 'i32': case 'enum':
      if (/^-?\d+$/.test(key)) return Number(key);
      break;
    case 'double':
      return Number(key);
    case 'i64':
      if (/^-?\d+$/.test(key)) return BigInt(key);
      break;
    default:
      break;
  }
  throw new Error(`npm thrift read a map<${type.kind}, ...> key as the property name ${JSON.stringify(key)}, which is no ${type.kind}`);
}

/** A canonical value as the generated code takes it, for a value of IDL type `type`. */
export function toGenerated(idl: Idl, type: IdlType, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (type.kind) {
    case 'i64':
      if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string') return thrift.fromBigInt(value);
      return value;
    case 'binary':
      return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    case 'list':
    case 'set':
      return (value as readonly unknown[]).map((element) => toGenerated(idl, type.elem, element));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      const object: Record<string, unknown> = {};
      for (const [key, inner] of entries) defineEntry(object, keyString(type.key, key), toGenerated(idl, type.value, inner));
      return object;
    }
    case 'struct': {
      let fields = value as Readonly<Record<string, unknown>>;
      if (isWrittenAs(value)) {
        if (value.writtenAs !== type.name) {
          throw new CannotExpress(`the generated code writes a ${type.name} only as ${type.name}: its classes copy a ${value.writtenAs} into a new ${type.name} (e.g. Conformance_*_args: this.value = new ttypes.${type.name}(args.value)), dropping every other field`);
        }
        fields = value.value;
      }
      const struct = idl.struct(type.name);
      const known = new Set(struct.fields.map((f) => f.name));
      const unknown = Object.keys(fields).filter((name) => !known.has(name));
      if (unknown.length > 0) {
        throw new CannotExpress(`the generated ${type.name} has no field ${unknown.join(', ')} (generated from the IDL without its uuid members: codegen/generate.sh)`);
      }
      const args: Record<string, unknown> = {};
      for (const f of struct.fields) {
        if (fields[f.name] !== undefined) args[f.name] = toGenerated(idl, f.type, fields[f.name]);
      }
      const Class = structClass(type.name);
      return new Class(args);
    }
    default:
      return value;
  }
}

/** A value the generated code read, as a canonical value of IDL type `type` (unset: undefined). */
export function fromGenerated(idl: Idl, type: IdlType, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  switch (type.kind) {
    case 'i64':
      if (isInt64(value)) return thrift.toBigInt(value);
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      throw new Error(`npm thrift read an i64 as ${typeof value} ${String(value)}`);
    case 'binary':
      return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    case 'list':
    case 'set':
      return (value as readonly unknown[]).map((element) => fromGenerated(idl, type.elem, element));
    case 'map': {
      const map = new Map<unknown, unknown>();
      for (const key of Object.keys(value as object)) {
        map.set(keyValue(type.key, key), fromGenerated(idl, type.value, (value as Record<string, unknown>)[key]));
      }
      return map;
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of idl.struct(type.name).fields) {
        const inner = fromGenerated(idl, f.type, (value as Record<string, unknown>)[f.name]);
        if (inner !== undefined) out[f.name] = inner;
      }
      return out;
    }
    default:
      return value;
  }
}
