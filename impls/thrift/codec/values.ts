// Type-directed reading and writing of values (the value model of index.ts) over any protocol.
// Writers check every value against its IDL type and say where a bad one sits; readers skip
// unknown fields of every type, fill in IDL defaults and refuse missing required fields.
import { ProtocolError, ValueError, withContext } from '../errors.ts';
import { typeName, wireTypeOf, type FieldDef, type Idl, type StructDef, type ThriftType } from '../idl/model.ts';
import type { ProtocolReader, ProtocolWriter } from '../protocol/protocol.ts';
import { TType, wireTypeName } from '../protocol/wire.ts';
import { parseUuid, WrittenAs } from '../values.ts';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value instanceof Map) return 'a Map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function integer(value: unknown, kind: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValueError(`${kind} needs an integer number, got ${describeValue(value)}`);
  if (value < min || value > max) throw new ValueError(`${kind} value ${value} is out of range ${min}..${max}`);
  return value;
}

function int64(value: unknown): bigint {
  if (typeof value === 'bigint') {
    if (value < I64_MIN || value > I64_MAX) throw new ValueError(`i64 value ${value} is out of range`);
    return value;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValueError(`i64 needs a bigint (or a safe integer number), got ${describeValue(value)}`);
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Writes one value of an IDL type. */
export function writeValue(idl: Idl, w: ProtocolWriter, type: ThriftType, value: unknown): void {
  switch (type.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw new ValueError(`bool needs a boolean, got ${describeValue(value)}`);
      w.writeBool(value);
      return;
    case 'i8': w.writeByte(integer(value, 'i8', -128, 127)); return;
    case 'i16': w.writeI16(integer(value, 'i16', -32768, 32767)); return;
    case 'i32': w.writeI32(integer(value, 'i32', -2147483648, 2147483647)); return;
    case 'enum': w.writeI32(integer(value, `enum ${type.def.name}`, -2147483648, 2147483647)); return;
    case 'i64': w.writeI64(int64(value)); return;
    case 'double':
      if (typeof value !== 'number') throw new ValueError(`double needs a number, got ${describeValue(value)}`);
      w.writeDouble(value);
      return;
    case 'string':
      if (typeof value !== 'string') throw new ValueError(`string needs a string, got ${describeValue(value)}`);
      w.writeString(value);
      return;
    case 'binary':
      if (Buffer.isBuffer(value)) w.writeBinary(value);
      else if (value instanceof Uint8Array) w.writeBinary(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      else throw new ValueError(`binary needs a Buffer, got ${describeValue(value)}`);
      return;
    case 'uuid':
      w.writeUuid(parseUuid(value as string));
      return;
    case 'struct':
      if (value instanceof WrittenAs) writeStruct(idl, w, idl.struct(value.structName), value.value);
      else writeStruct(idl, w, type.def, value);
      return;
    case 'list': case 'set': {
      const items = type.kind === 'set' && value instanceof Set ? [...value] : value;
      if (!Array.isArray(items)) throw new ValueError(`${typeName(type)} needs an array, got ${describeValue(value)}`);
      const elemType = wireTypeOf(type.elem);
      if (type.kind === 'set') w.writeSetBegin(elemType, items.length);
      else w.writeListBegin(elemType, items.length);
      for (let i = 0; i < items.length; i++) {
        try {
          writeValue(idl, w, type.elem, items[i]);
        } catch (error) {
          throw withContext(error, `[${i}]`);
        }
      }
      if (type.kind === 'set') w.writeSetEnd();
      else w.writeListEnd();
      return;
    }
    case 'map': {
      if (!(value instanceof Map)) throw new ValueError(`${typeName(type)} needs a Map, got ${describeValue(value)}`);
      w.writeMapBegin(wireTypeOf(type.key), wireTypeOf(type.value), value.size);
      for (const [k, v] of value) {
        try {
          writeValue(idl, w, type.key, k);
          writeValue(idl, w, type.value, v);
        } catch (error) {
          throw withContext(error, `[${typeof k === 'bigint' ? k.toString() : JSON.stringify(k) ?? String(k)}]`);
        }
      }
      w.writeMapEnd();
      return;
    }
  }
}

/** Writes a struct, union or exception value (a plain object; unset fields absent, null or undefined). */
export function writeStruct(idl: Idl, w: ProtocolWriter, def: StructDef, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Map || Buffer.isBuffer(value)) {
    throw new ValueError(`${def.name} needs an object of fields, got ${describeValue(value)}`);
  }
  const record = value as Record<string, unknown>;
  let set = 0;
  w.writeStructBegin();
  for (const field of def.fields) {
    const fieldValue = Object.hasOwn(record, field.name) ? record[field.name] : undefined;
    if (!isPresent(fieldValue)) {
      if (field.requiredness === 'required') throw new ValueError(`${def.name}.${field.name} is required but not set`);
      continue;
    }
    set++;
    w.writeFieldBegin(wireTypeOf(field.type), field.id);
    try {
      writeValue(idl, w, field.type, fieldValue);
    } catch (error) {
      throw withContext(error, `${def.name}.${field.name}`);
    }
    w.writeFieldEnd();
  }
  if (def.kind === 'union' && set !== 1) throw new ValueError(`union ${def.name} needs exactly one field set, got ${set}`);
  w.writeFieldStop();
  w.writeStructEnd();
}

function expectElements(what: string, expected: ThriftType, actual: number, size: number): void {
  // A compact empty map carries no element types; nothing to check then.
  if (size > 0 && wireTypeOf(expected) !== actual) {
    throw new ProtocolError(`${what} of ${typeName(expected)} expected, the message has elements of ${wireTypeName(actual)}`);
  }
}

/** Reads one value of an IDL type (the wire type was already checked against it). */
export function readValue(r: ProtocolReader, type: ThriftType): unknown {
  switch (type.kind) {
    case 'bool': return r.readBool();
    case 'i8': return r.readByte();
    case 'i16': return r.readI16();
    case 'i32': case 'enum': return r.readI32();
    case 'i64': return r.readI64();
    case 'double': return r.readDouble();
    case 'string': return r.readString();
    case 'binary': return r.readBinary();
    case 'uuid': return r.readUuid();
    case 'struct': return readStruct(r, type.def);
    case 'list': case 'set': {
      const header = type.kind === 'set' ? r.readSetBegin() : r.readListBegin();
      expectElements(type.kind, type.elem, header.elemType, header.size);
      const items: unknown[] = new Array(header.size);
      for (let i = 0; i < header.size; i++) items[i] = readValue(r, type.elem);
      if (type.kind === 'set') r.readSetEnd();
      else r.readListEnd();
      return items;
    }
    case 'map': {
      const header = r.readMapBegin();
      expectElements('map key', type.key, header.keyType, header.size);
      expectElements('map value', type.value, header.elemType, header.size);
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < header.size; i++) {
        const key = readValue(r, type.key);
        map.set(key, readValue(r, type.value));
      }
      r.readMapEnd();
      return map;
    }
  }
}

function setField(out: Record<string, unknown>, field: FieldDef, value: unknown): void {
  if (field.name === '__proto__') Object.defineProperty(out, field.name, { value, enumerable: true, writable: true, configurable: true });
  else out[field.name] = value;
}

/** Reads a struct, union or exception: unknown fields skipped, defaults filled in, required fields checked. */
export function readStruct(r: ProtocolReader, def: StructDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let set = 0;
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.STOP; type = r.readFieldBegin()) {
    const field = def.byId.get(r.fieldId);
    if (field !== undefined && wireTypeOf(field.type) === type) {
      if (!Object.hasOwn(out, field.name)) set++;
      try {
        setField(out, field, readValue(r, field.type));
      } catch (error) {
        throw withContext(error, `${def.name}.${field.name}`);
      }
    } else {
      // Unknown to this IDL (a newer writer), or of another type than declared: skipped, as the
      // reference implementations do.
      r.skip(type);
    }
    r.readFieldEnd();
  }
  r.readStructEnd();
  if (def.kind === 'union') {
    if (set > 1) throw new ProtocolError(`union ${def.name} has ${set} fields set; a union has at most one`);
    return out;
  }
  if (set < def.fields.length) {
    for (const field of def.fields) {
      if (Object.hasOwn(out, field.name)) continue;
      if (field.requiredness === 'required') throw new ProtocolError(`required field ${def.name}.${field.name} is missing`);
      // Defaults of optional fields too: what every generated reader holds (the field starts at its default).
      if (field.makeDefault) setField(out, field, field.makeDefault());
    }
  }
  return out;
}
