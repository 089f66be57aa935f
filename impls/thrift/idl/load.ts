// Reads .thrift files at run time (@creditkarma/thrift-parser) and resolves them into the model:
// typedefs, enums, constants and defaults, includes (types of an included file are named
// "<file>.<Type>"), service inheritance, and uuid (which the parser does not know as a keyword).
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createParser, createScanner, SyntaxType } from '@creditkarma/thrift-parser';
import type {
  ConstValue, FieldDefinition, FieldType, FunctionType, ThriftDocument, ThriftError, ThriftStatement,
} from '@creditkarma/thrift-parser';
import { addField, Idl, makeStructDef, typeName, type EnumDef, type FieldDef, type FunctionDef, type ServiceDef, type StructDef, type ThriftType } from './model.ts';
import { constantValue, copyValue } from './constants.ts';

export interface LoadOptions {
  /** Reads an included file (default: the file system, relative to the including file). */
  readonly readFile?: (path: string) => string;
}

/** Loads a .thrift file and every file it includes. */
export function loadIdl(path: string, options: LoadOptions = {}): Idl {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  return new Resolver(read).load(resolve(path));
}

/** Parses IDL text (includes are read relative to `path`). */
export function parseIdl(text: string, path = 'inline.thrift', options: LoadOptions = {}): Idl {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  return new Resolver(read).loadText(text, resolve(path));
}

/**
 * Scans and parses with our own error handler: the package's parse() prints errors to stdout,
 * which a server must not do; here they become one exception naming file, line and column.
 */
function parseDocument(text: string, path: string): ThriftDocument {
  const errors: ThriftError[] = [];
  let recover: () => void = () => undefined;
  const report = (error: ThriftError): void => {
    errors.push(error);
    recover();
  };
  const scanner = createScanner(text, report);
  recover = () => scanner.syncronize();
  const tokens = scanner.scan();
  const parser = createParser(tokens, report);
  recover = () => parser.synchronize();
  const document = parser.parse();
  if (errors.length > 0) {
    throw new Error(`cannot parse ${path}:\n${errors.map((e) => `${path}:${e.loc.start.line}:${e.loc.start.column}: ${e.message}`).join('\n')}`);
  }
  return document;
}

const BASE_TYPES: Partial<Record<SyntaxType, ThriftType>> = {
  [SyntaxType.BoolKeyword]: { kind: 'bool' },
  [SyntaxType.ByteKeyword]: { kind: 'i8' },
  [SyntaxType.I8Keyword]: { kind: 'i8' },
  [SyntaxType.I16Keyword]: { kind: 'i16' },
  [SyntaxType.I32Keyword]: { kind: 'i32' },
  [SyntaxType.I64Keyword]: { kind: 'i64' },
  [SyntaxType.DoubleKeyword]: { kind: 'double' },
  [SyntaxType.StringKeyword]: { kind: 'string' },
  [SyntaxType.BinaryKeyword]: { kind: 'binary' },
};

/** One file's scope: its own names, and its includes by file stem. */
interface Scope {
  readonly prefix: string;
  readonly path: string;
  readonly document: ThriftDocument;
  readonly includes: Map<string, Scope>;
}

class Resolver {
  private readonly idl = new Idl();
  private readonly scopes = new Map<string, Scope>();
  private readonly typedefs = new Map<string, { scope: Scope; type: FieldType; resolving: boolean; resolved?: ThriftType }>();
  private readonly constDefs = new Map<string, { scope: Scope; type: FieldType; value: ConstValue; resolving: boolean }>();
  private readonly read: (path: string) => string;

  constructor(read: (path: string) => string) {
    this.read = read;
  }

  load(path: string): Idl {
    return this.loadText(this.read(path), path);
  }

  loadText(text: string, path: string): Idl {
    const root = this.scope(text, path, '', []);
    this.declareAll(root);
    this.define(root);
    return this.idl;
  }

  private scope(text: string, path: string, prefix: string, chain: string[]): Scope {
    if (chain.includes(path)) throw new Error(`include cycle: ${[...chain, path].join(' -> ')}`);
    const existing = this.scopes.get(path);
    if (existing) return existing;
    const document = parseDocument(text, path);
    const scope: Scope = { prefix, path, document, includes: new Map() };
    this.scopes.set(path, scope);
    for (const statement of document.body) {
      if (statement.type !== SyntaxType.IncludeDefinition) continue;
      const includedPath = resolve(dirname(path), statement.path.value);
      const stem = basename(includedPath).replace(/\.thrift$/, '');
      const included = this.scope(this.read(includedPath), includedPath, `${stem}.`, [...chain, path]);
      scope.includes.set(stem, included);
    }
    return scope;
  }

  /** First pass: every named type exists (structs empty), so definitions may refer to each other in any order. */
  private declareAll(scope: Scope): void {
    for (const included of scope.includes.values()) this.declareAll(included);
    for (const statement of scope.document.body) this.declareOne(scope, statement);
  }

  private declareOne(scope: Scope, statement: ThriftStatement): void {
    switch (statement.type) {
      case SyntaxType.StructDefinition:
      case SyntaxType.UnionDefinition:
      case SyntaxType.ExceptionDefinition: {
        const kind = statement.type === SyntaxType.StructDefinition ? 'struct' : statement.type === SyntaxType.UnionDefinition ? 'union' : 'exception';
        const name = scope.prefix + statement.name.value;
        if (this.idl.structs.has(name)) return;
        this.idl.structs.set(name, makeStructDef(name, kind, []));
        return;
      }
      case SyntaxType.EnumDefinition: {
        const name = scope.prefix + statement.name.value;
        const values = new Map<string, number>();
        const names = new Map<number, string>();
        let next = 0;
        for (const member of statement.members) {
          const value = member.initializer ? Number(BigInt(member.initializer.value.value)) : next;
          if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new Error(`enum ${name}.${member.name.value}: ${value} is not an i32`);
          values.set(member.name.value, value);
          if (!names.has(value)) names.set(value, member.name.value);
          next = value + 1;
        }
        const def: EnumDef = { name, values, names };
        this.idl.enums.set(name, def);
        return;
      }
      case SyntaxType.TypedefDefinition:
        this.typedefs.set(scope.prefix + statement.name.value, { scope, type: statement.definitionType, resolving: false });
        return;
      case SyntaxType.ConstDefinition:
        this.constDefs.set(scope.prefix + statement.name.value, { scope, type: statement.fieldType, value: statement.initializer, resolving: false });
        return;
      default:
    }
  }

  /** Second pass: fields, constants, services. */
  private define(scope: Scope): void {
    for (const included of scope.includes.values()) this.define(included);
    for (const statement of scope.document.body) {
      switch (statement.type) {
        case SyntaxType.StructDefinition:
        case SyntaxType.UnionDefinition:
        case SyntaxType.ExceptionDefinition: {
          const def = this.idl.struct(scope.prefix + statement.name.value);
          if (def.fields.length > 0) break;
          for (const field of this.fields(scope, statement.fields, def.name)) addField(def, field);
          break;
        }
        case SyntaxType.ConstDefinition: {
          const name = scope.prefix + statement.name.value;
          if (!this.idl.constants.has(name)) this.idl.constants.set(name, this.constant(name));
          break;
        }
        case SyntaxType.ServiceDefinition:
          this.service(scope, statement.name.value, statement.extends?.value, statement.functions);
          break;
        default:
      }
    }
  }

  private fields(scope: Scope, definitions: FieldDefinition[], owner: string): FieldDef[] {
    let implicitId = 0;
    return definitions.map((field) => {
      const id = field.fieldID ? field.fieldID.value : --implicitId;
      if (id < -32768 || id > 32767) throw new Error(`${owner}.${field.name.value}: field id ${id} is not an i16`);
      const type = this.fieldType(scope, field.fieldType, `${owner}.${field.name.value}`);
      let makeDefault: (() => unknown) | undefined;
      if (field.defaultValue) {
        const value = constantValue(field.defaultValue, type, (name) => this.lookupConstant(scope, name), `${owner}.${field.name.value}`);
        makeDefault = () => copyValue(value);
      }
      return { id, name: field.name.value, type, requiredness: field.requiredness ?? 'default', makeDefault };
    });
  }

  private fieldType(scope: Scope, type: FunctionType, where: string): ThriftType {
    if (type.type === SyntaxType.VoidKeyword) throw new Error(`${where}: void is not a field type`);
    const base = BASE_TYPES[type.type];
    if (base) return base;
    switch (type.type) {
      case SyntaxType.ListType: return { kind: 'list', elem: this.fieldType(scope, type.valueType, where) };
      case SyntaxType.SetType: return { kind: 'set', elem: this.fieldType(scope, type.valueType, where) };
      case SyntaxType.MapType: return { kind: 'map', key: this.fieldType(scope, type.keyType, where), value: this.fieldType(scope, type.valueType, where) };
      case SyntaxType.Identifier: return this.named(scope, type.value, where);
      default: throw new Error(`${where}: unsupported type ${type.type}`);
    }
  }

  /** A type name as written in `scope`: its own names first, then "<include>.<Name>", then uuid. */
  private named(scope: Scope, name: string, where: string): ThriftType {
    for (const qualified of this.candidates(scope, name)) {
      const struct = this.idl.structs.get(qualified);
      if (struct) return { kind: 'struct', def: struct };
      const enumDef = this.idl.enums.get(qualified);
      if (enumDef) return { kind: 'enum', def: enumDef };
      const typedef = this.typedefs.get(qualified);
      if (typedef) {
        if (typedef.resolved) return typedef.resolved;
        if (typedef.resolving) throw new Error(`${where}: typedef ${qualified} refers to itself`);
        typedef.resolving = true;
        typedef.resolved = this.fieldType(typedef.scope, typedef.type, `typedef ${qualified}`);
        return typedef.resolved;
      }
    }
    // Thrift 0.19+ base type; the parser reads it as a name.
    if (name === 'uuid') return { kind: 'uuid' };
    throw new Error(`${where}: unknown type ${name}`);
  }

  private candidates(scope: Scope, name: string): string[] {
    const out = [scope.prefix + name];
    const dot = name.indexOf('.');
    if (dot > 0) {
      const included = scope.includes.get(name.slice(0, dot));
      if (included) out.push(included.prefix + name.slice(dot + 1));
    }
    return out;
  }

  private constant(name: string): unknown {
    const def = this.constDefs.get(name);
    if (!def) throw new Error(`unknown constant ${name}`);
    if (def.resolving) throw new Error(`constant ${name} refers to itself`);
    def.resolving = true;
    const type = this.fieldType(def.scope, def.type, `const ${name}`);
    const value = constantValue(def.value, type, (ref) => this.lookupConstant(def.scope, ref), `const ${name}`);
    def.resolving = false;
    return value;
  }

  /** A name used as a value: a constant, or an enum member ("Color.GREEN", "shared.Color.GREEN"). */
  private lookupConstant(scope: Scope, name: string): unknown {
    for (const qualified of this.candidates(scope, name)) {
      if (this.idl.constants.has(qualified)) return this.idl.constants.get(qualified);
      if (this.constDefs.has(qualified)) {
        const value = this.constant(qualified);
        this.idl.constants.set(qualified, value);
        return value;
      }
      const dot = qualified.lastIndexOf('.');
      if (dot > 0) {
        const enumDef = this.idl.enums.get(qualified.slice(0, dot));
        const value = enumDef?.values.get(qualified.slice(dot + 1));
        if (value !== undefined) return value;
      }
    }
    throw new Error(`unknown constant or enum member ${name}`);
  }

  private service(scope: Scope, localName: string, parent: string | undefined, functions: import('@creditkarma/thrift-parser').FunctionDefinition[]): void {
    const name = scope.prefix + localName;
    if (this.idl.services.has(name)) return;
    const all = new Map<string, FunctionDef>();
    if (parent) {
      const qualified = this.candidates(scope, parent).find((n) => this.idl.services.has(n));
      if (!qualified) throw new Error(`service ${name} extends unknown service ${parent}`);
      for (const [fname, fn] of this.idl.service(qualified).functions) all.set(fname, fn);
    }
    for (const fn of functions) {
      const where = `${name}.${fn.name.value}`;
      const args = makeStructDef(`${fn.name.value}_args`, 'struct', this.fields(scope, fn.fields, `${where} argument`));
      const returns = fn.returnType.type === SyntaxType.VoidKeyword ? undefined : this.fieldType(scope, fn.returnType, `${where} return`);
      const throwsFields = this.fields(scope, fn.throws, `${where} throws`);
      for (const t of throwsFields) {
        if (t.type.kind !== 'struct' || t.type.def.kind !== 'exception') throw new Error(`${where}: throws ${typeName(t.type)}, which is not an exception`);
      }
      if (fn.oneway && (returns || throwsFields.length > 0)) throw new Error(`${where}: a oneway method returns nothing and throws nothing`);
      const result: StructDef = makeStructDef(`${fn.name.value}_result`, 'struct', []);
      if (returns) addField(result, { id: 0, name: 'success', type: returns, requiredness: 'optional', makeDefault: undefined });
      const throwsByType = new Map<string, FieldDef>();
      for (const t of throwsFields) {
        const declared: FieldDef = { ...t, requiredness: 'optional', makeDefault: undefined };
        addField(result, declared);
        if (t.type.kind === 'struct') throwsByType.set(t.type.def.name, declared);
      }
      all.set(fn.name.value, { service: name, name: fn.name.value, oneway: fn.oneway, args, returns, result, throwsByType });
    }
    const def: ServiceDef = { name, functions: all };
    this.idl.services.set(name, def);
  }
}
