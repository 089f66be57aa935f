// The IDL as the generated code knows it: the compiler's own JSON description (--gen json) of the
// same uuid-free IDL copy the JavaScript was generated from (codegen/generate.sh). Values are
// converted by it, so the adapter never guesses a type from a value.
import { readFileSync } from 'node:fs';

/** A type of the IDL, typedefs resolved (the compiler's JSON already resolves them). */
export type IdlType =
  | { readonly kind: 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'void' }
  | { readonly kind: 'enum'; readonly name: string }
  | { readonly kind: 'struct'; readonly name: string }
  | { readonly kind: 'list' | 'set'; readonly elem: IdlType }
  | { readonly kind: 'map'; readonly key: IdlType; readonly value: IdlType };

export interface IdlField {
  readonly id: number;
  readonly name: string;
  readonly type: IdlType;
}

export interface IdlStruct {
  readonly name: string;
  readonly fields: readonly IdlField[];
}

export interface IdlFunction {
  readonly name: string;
  readonly oneway: boolean;
  /** In declaration order: the order of the generated client's and handler's parameters. */
  readonly args: readonly IdlField[];
  readonly returns: IdlType;
  /** The declared exceptions, by struct name. */
  readonly exceptions: readonly string[];
}

export interface Idl {
  readonly structs: ReadonlyMap<string, IdlStruct>;
  readonly services: ReadonlyMap<string, ReadonlyMap<string, IdlFunction>>;
  struct(name: string): IdlStruct;
  fn(service: string, method: string): IdlFunction | undefined;
}

/** The compiler's JSON shape of a type (--gen json). */
interface JsonType {
  readonly typeId: string;
  readonly class?: string;
  readonly elemTypeId?: string;
  readonly elemType?: JsonType;
  readonly keyTypeId?: string;
  readonly keyType?: JsonType;
  readonly valueTypeId?: string;
  readonly valueType?: JsonType;
}

interface JsonField {
  readonly key: number;
  readonly name: string;
  readonly typeId: string;
  readonly type?: JsonType;
}

interface JsonDocument {
  readonly structs: readonly { readonly name: string; readonly fields: readonly JsonField[] }[];
  readonly services: readonly {
    readonly name: string;
    readonly functions: readonly {
      readonly name: string; readonly oneway: boolean; readonly returnTypeId: string; readonly returnType?: JsonType;
      readonly arguments: readonly JsonField[]; readonly exceptions: readonly JsonField[];
    }[];
  }[];
}

const SCALARS = new Set(['bool', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'void']);

function typeOf(typeId: string, detail: JsonType | undefined): IdlType {
  if (SCALARS.has(typeId)) return { kind: typeId as 'bool' };
  if (typeId === 'enum') return { kind: 'enum', name: required(detail?.class, typeId) };
  if (typeId === 'struct' || typeId === 'union' || typeId === 'exception') return { kind: 'struct', name: required(detail?.class, typeId) };
  if (typeId === 'list' || typeId === 'set') {
    return { kind: typeId, elem: typeOf(required(detail?.elemTypeId, typeId), detail?.elemType) };
  }
  if (typeId === 'map') {
    return {
      kind: 'map',
      key: typeOf(required(detail?.keyTypeId, typeId), detail?.keyType),
      value: typeOf(required(detail?.valueTypeId, typeId), detail?.valueType),
    };
  }
  throw new Error(`npm-thrift: gen/conformance.json has a type the adapter does not know: ${typeId}`);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`npm-thrift: gen/conformance.json: ${what} without its details`);
  return value;
}

function field(json: JsonField): IdlField {
  return { id: json.key, name: json.name, type: typeOf(json.typeId, json.type) };
}

export function parseIdlDescription(document: JsonDocument): Idl {
  const structs = new Map(document.structs.map((s) => [s.name, { name: s.name, fields: s.fields.map(field) }]));
  const services = new Map(document.services.map((service) => [service.name, new Map(service.functions.map((f) => [f.name, {
    name: f.name,
    oneway: f.oneway,
    args: f.arguments.map(field),
    returns: typeOf(f.returnTypeId, f.returnType),
    exceptions: f.exceptions.map((e) => required(e.type?.class, 'exception')),
  }]))]));
  return {
    structs,
    services,
    struct: (name) => {
      const found = structs.get(name);
      if (!found) throw new Error(`npm-thrift: the generated code has no struct ${name}`);
      return found;
    },
    fn: (service, method) => services.get(service)?.get(method),
  };
}

let loaded: Idl | undefined;

/** The description generate.sh wrote beside the generated code. */
export function generatedIdl(): Idl {
  loaded ??= parseIdlDescription(JSON.parse(readFileSync(new URL('./gen/conformance.json', import.meta.url), 'utf8')) as JsonDocument);
  return loaded;
}
