// The conformance IDL as the suite reads it: parsed from conformance.thrift with a maintained
// parser (@creditkarma/thrift-parser), typedefs resolved, enum values and field defaults worked
// out. The suite's own reading, independent of every implementation under test, so that the value
// notation and the comparisons cannot share an implementation's mistake.
import { readFileSync } from 'node:fs';
import { parse, SyntaxType, type ConstValue, type FieldDefinition, type FunctionType, type ThriftStatement } from '@creditkarma/thrift-parser';
import { IDL_PATH } from './catalogue.ts';

export type BaseKind = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

export type IdlType =
  | { readonly kind: BaseKind }
  | { readonly kind: 'void' }
  | { readonly kind: 'enum'; readonly name: string }
  | { readonly kind: 'struct'; readonly name: string }
  | { readonly kind: 'list' | 'set'; readonly element: IdlType }
  | { readonly kind: 'map'; readonly key: IdlType; readonly value: IdlType };

export interface IdlField {
  readonly id: number;
  readonly name: string;
  readonly type: IdlType;
  readonly requiredness: 'required' | 'optional' | 'default';
  /** The IDL default, as a constant to be read against the field's type (see defaultOf). */
  readonly defaultValue?: ConstValue;
}

export interface IdlStruct {
  readonly name: string;
  readonly kind: 'struct' | 'union' | 'exception';
  readonly fields: readonly IdlField[];
}

export interface IdlFunction {
  readonly name: string;
  readonly oneway: boolean;
  readonly returns: IdlType;
  readonly args: readonly IdlField[];
  readonly throws: readonly IdlField[];
}

const BASE: Readonly<Record<string, BaseKind>> = {
  BoolKeyword: 'bool', ByteKeyword: 'i8', I8Keyword: 'i8', I16Keyword: 'i16', I32Keyword: 'i32', I64Keyword: 'i64',
  DoubleKeyword: 'double', StringKeyword: 'string', BinaryKeyword: 'binary',
};

export class Idl {
  readonly structs = new Map<string, IdlStruct>();
  readonly enums = new Map<string, ReadonlyMap<string, number>>();
  readonly services = new Map<string, ReadonlyMap<string, IdlFunction>>();
  private readonly typedefs = new Map<string, FunctionType>();

  constructor(text: string) {
    const document = parse(text);
    if (document.type !== SyntaxType.ThriftDocument) throw new Error(`conformance.thrift does not parse: ${JSON.stringify(document.errors.slice(0, 3))}`);
    const statements: ThriftStatement[] = document.body;
    for (const s of statements) {
      if (s.type === SyntaxType.TypedefDefinition) this.typedefs.set(s.name.value, s.definitionType);
      if (s.type === SyntaxType.EnumDefinition) {
        let next = 0;
        const members = new Map<string, number>();
        for (const m of s.members) {
          const value = m.initializer ? Number(m.initializer.value.value) : next;
          members.set(m.name.value, value);
          next = value + 1;
        }
        this.enums.set(s.name.value, members);
      }
    }
    for (const s of statements) {
      if (s.type === SyntaxType.StructDefinition || s.type === SyntaxType.UnionDefinition || s.type === SyntaxType.ExceptionDefinition) {
        const kind = s.type === SyntaxType.UnionDefinition ? 'union' : s.type === SyntaxType.ExceptionDefinition ? 'exception' : 'struct';
        this.structs.set(s.name.value, { name: s.name.value, kind, fields: s.fields.map((f) => this.field(f)) });
      }
      if (s.type === SyntaxType.ServiceDefinition) {
        this.services.set(s.name.value, new Map(s.functions.map((f) => [f.name.value, {
          name: f.name.value, oneway: f.oneway, returns: this.type(f.returnType),
          args: f.fields.map((a) => this.field(a)), throws: f.throws.map((t) => this.field(t)),
        }])));
      }
    }
  }

  private field(f: FieldDefinition): IdlField {
    if (!f.fieldID) throw new Error(`field ${f.name.value} has no id`);
    return {
      id: f.fieldID.value, name: f.name.value, type: this.type(f.fieldType),
      requiredness: f.requiredness ?? 'default',
      ...(f.defaultValue ? { defaultValue: f.defaultValue } : {}),
    };
  }

  type(t: FunctionType): IdlType {
    switch (t.type) {
      case SyntaxType.VoidKeyword: return { kind: 'void' };
      case SyntaxType.ListType: return { kind: 'list', element: this.type(t.valueType) };
      case SyntaxType.SetType: return { kind: 'set', element: this.type(t.valueType) };
      case SyntaxType.MapType: return { kind: 'map', key: this.type(t.keyType), value: this.type(t.valueType) };
      case SyntaxType.Identifier: {
        const name = t.value;
        // The parser predates uuid and reads it as a name.
        if (name === 'uuid') return { kind: 'uuid' };
        const aliased = this.typedefs.get(name);
        if (aliased) return this.type(aliased);
        if (this.enums.has(name)) return { kind: 'enum', name };
        return { kind: 'struct', name };
      }
      default: {
        const base = BASE[t.type];
        if (!base) throw new Error(`unhandled IDL type ${t.type}`);
        return { kind: base };
      }
    }
  }

  struct(name: string): IdlStruct {
    const found = this.structs.get(name);
    if (!found) throw new Error(`the IDL has no struct ${name}`);
    return found;
  }

  fn(service: string, name: string): IdlFunction {
    const found = this.services.get(service)?.get(name);
    if (!found) throw new Error(`the IDL has no ${service}.${name}`);
    return found;
  }

  enumValue(name: string, symbol: string): number {
    const value = this.enums.get(name)?.get(symbol);
    if (value === undefined) throw new Error(`enum ${name} has no ${symbol}`);
    return value;
  }

  enumSymbol(name: string, value: number): string | undefined {
    for (const [symbol, v] of this.enums.get(name) ?? []) if (v === value) return symbol;
    return undefined;
  }
}

let cached: Idl | undefined;

/** The conformance IDL (suites/thrift/data/conformance.thrift), parsed once. */
export function conformanceIdl(): Idl {
  cached ??= new Idl(readFileSync(IDL_PATH, 'utf8'));
  return cached;
}
