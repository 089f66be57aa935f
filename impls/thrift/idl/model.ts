// The resolved IDL: what the codecs, clients and servers work from. Typedefs are gone (replaced by
// what they name), enum and struct references point at their definitions, defaults are values.
import { TType, type WireType } from '../protocol/wire.ts';

export type ScalarKind = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

export type ThriftType =
  | { readonly kind: ScalarKind }
  | { readonly kind: 'enum'; readonly def: EnumDef }
  | { readonly kind: 'struct'; readonly def: StructDef }
  | { readonly kind: 'list' | 'set'; readonly elem: ThriftType }
  | { readonly kind: 'map'; readonly key: ThriftType; readonly value: ThriftType };

export type Requiredness = 'required' | 'optional' | 'default';

export interface FieldDef {
  readonly id: number;
  readonly name: string;
  readonly type: ThriftType;
  readonly requiredness: Requiredness;
  /** A fresh copy of the IDL default each call (undefined: the field has none). */
  readonly makeDefault: (() => unknown) | undefined;
}

export interface StructDef {
  /** The name in the IDL ("Point"; "shared.Point" for a type of an included file). */
  readonly name: string;
  readonly kind: 'struct' | 'union' | 'exception';
  readonly fields: FieldDef[];
  readonly byId: Map<number, FieldDef>;
  readonly byName: Map<string, FieldDef>;
}

export interface EnumDef {
  readonly name: string;
  readonly values: ReadonlyMap<string, number>;
  readonly names: ReadonlyMap<number, string>;
}

export interface FunctionDef {
  readonly service: string;
  readonly name: string;
  readonly oneway: boolean;
  /** The argument struct ("<name>_args"): parameters are its fields. */
  readonly args: StructDef;
  /** The return type; undefined for void. */
  readonly returns: ThriftType | undefined;
  /** The result struct ("<name>_result"): field 0 "success" (unless void), then the declared exceptions. */
  readonly result: StructDef;
  /** Declared exceptions by their struct name. */
  readonly throwsByType: ReadonlyMap<string, FieldDef>;
}

export interface ServiceDef {
  readonly name: string;
  /** Every function, inherited ones (extends) included. */
  readonly functions: ReadonlyMap<string, FunctionDef>;
}

export class Idl {
  readonly structs = new Map<string, StructDef>();
  readonly enums = new Map<string, EnumDef>();
  readonly services = new Map<string, ServiceDef>();
  readonly constants = new Map<string, unknown>();

  struct(name: string): StructDef {
    const found = this.structs.get(name);
    if (!found) throw new Error(`the IDL has no struct, union or exception named ${name}`);
    return found;
  }

  service(name: string): ServiceDef {
    const found = this.services.get(name);
    if (!found) throw new Error(`the IDL has no service named ${name} (it has ${[...this.services.keys()].join(', ') || 'none'})`);
    return found;
  }

  method(service: string, name: string): FunctionDef {
    const found = this.service(service).functions.get(name);
    if (!found) throw new Error(`service ${service} has no method ${name}`);
    return found;
  }
}

export function wireTypeOf(type: ThriftType): WireType {
  switch (type.kind) {
    case 'bool': return TType.BOOL;
    case 'i8': return TType.BYTE;
    case 'i16': return TType.I16;
    case 'i32': case 'enum': return TType.I32;
    case 'i64': return TType.I64;
    case 'double': return TType.DOUBLE;
    case 'string': case 'binary': return TType.STRING;
    case 'uuid': return TType.UUID;
    case 'struct': return TType.STRUCT;
    case 'map': return TType.MAP;
    case 'set': return TType.SET;
    case 'list': return TType.LIST;
  }
}

export function typeName(type: ThriftType): string {
  switch (type.kind) {
    case 'enum': case 'struct': return type.def.name;
    case 'list': case 'set': return `${type.kind}<${typeName(type.elem)}>`;
    case 'map': return `map<${typeName(type.key)},${typeName(type.value)}>`;
    default: return type.kind;
  }
}

export function makeStructDef(name: string, kind: StructDef['kind'], fields: FieldDef[]): StructDef {
  const def: StructDef = { name, kind, fields: [], byId: new Map(), byName: new Map() };
  for (const field of fields) addField(def, field);
  return def;
}

export function addField(def: StructDef, field: FieldDef): void {
  if (def.byId.has(field.id)) throw new Error(`${def.name}: field id ${field.id} is used twice`);
  if (def.byName.has(field.name)) throw new Error(`${def.name}: field name ${field.name} is used twice`);
  def.fields.push(field);
  def.byId.set(field.id, field);
  def.byName.set(field.name, field);
}
