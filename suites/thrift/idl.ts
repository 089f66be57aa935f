// The conformance IDL as data: the compiler's own JSON description of conformance.thrift
// (thrift --gen json, generated beside our code), read for type-directed value conversion.
import { readFileSync } from 'node:fs';

export interface IdlType {
  readonly typeId: string;
  readonly class?: string;
  readonly elemTypeId?: string;
  readonly elemType?: IdlType;
  readonly keyTypeId?: string;
  readonly keyType?: IdlType;
  readonly valueTypeId?: string;
  readonly valueType?: IdlType;
}

export interface IdlField {
  readonly key: number;
  readonly name: string;
  readonly typeId: string;
  readonly type?: IdlType;
  readonly required: string;
}

export interface IdlFunction {
  readonly name: string;
  readonly returnTypeId: string;
  readonly returnType?: IdlType;
  readonly oneway: boolean;
  readonly arguments: readonly IdlField[];
  readonly exceptions: readonly IdlField[];
}

export interface IdlStruct {
  readonly name: string;
  readonly isException: boolean;
  readonly isUnion: boolean;
  readonly fields: readonly IdlField[];
}

interface IdlJson {
  enums: { name: string; members: { name: string; value: number }[] }[];
  structs: IdlStruct[];
  services: { name: string; functions: IdlFunction[] }[];
}

export class Idl {
  readonly structs: ReadonlyMap<string, IdlStruct>;
  readonly enums: ReadonlyMap<string, ReadonlyMap<string, number>>;
  private readonly services: ReadonlyMap<string, ReadonlyMap<string, IdlFunction>>;

  constructor(json: IdlJson) {
    this.structs = new Map(json.structs.map((s) => [s.name, s]));
    this.enums = new Map(json.enums.map((e) => [e.name, new Map(e.members.map((m) => [m.name, m.value]))]));
    this.services = new Map(json.services.map((s) => [s.name, new Map(s.functions.map((f) => [f.name, f]))]));
  }

  static load(): Idl {
    return new Idl(JSON.parse(readFileSync(new URL('../../impls/npm-thrift/gen/conformance.json', import.meta.url), 'utf8')) as IdlJson);
  }

  fn(service: string, name: string): IdlFunction {
    const found = this.services.get(service)?.get(name);
    if (!found) throw new Error(`the IDL has no ${service}.${name}`);
    return found;
  }
}

export function fieldType(field: IdlField): IdlType {
  return field.type ?? { typeId: field.typeId };
}

export function returnType(fn: IdlFunction): IdlType {
  return fn.returnType ?? { typeId: fn.returnTypeId };
}

export function elemType(t: IdlType): IdlType {
  return t.elemType ?? { typeId: t.elemTypeId ?? 'unknown' };
}
export function keyType(t: IdlType): IdlType {
  return t.keyType ?? { typeId: t.keyTypeId ?? 'unknown' };
}
export function valueType(t: IdlType): IdlType {
  return t.valueType ?? { typeId: t.valueTypeId ?? 'unknown' };
}
