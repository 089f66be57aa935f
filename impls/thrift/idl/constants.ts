// IDL constant values (`const`, field defaults) turned into the values of the value model: i64 as
// bigint, maps as Map, structs as plain objects, binary as Buffer, enums as their i32 value.
import { SyntaxType } from '@creditkarma/thrift-parser';
import type { ConstValue } from '@creditkarma/thrift-parser';
import { typeName, type ThriftType } from './model.ts';
import { parseUuid, formatUuid } from '../values.ts';

const RANGES = { i8: [-128n, 127n], i16: [-32768n, 32767n], i32: [-(2n ** 31n), 2n ** 31n - 1n], i64: [-(2n ** 63n), 2n ** 63n - 1n] } as const;

function integer(node: ConstValue): bigint | undefined {
  if (node.type === SyntaxType.IntConstant) {
    const text = node.value.value;
    const negative = text.startsWith('-');
    const digits = negative ? text.slice(1) : text;
    const magnitude = BigInt(digits.toLowerCase().startsWith('0x') ? digits : digits.replace(/^\+/, ''));
    return negative ? -magnitude : magnitude;
  }
  if (node.type === SyntaxType.BooleanLiteral) return node.value ? 1n : 0n;
  return undefined;
}

export function constantValue(node: ConstValue, type: ThriftType, lookup: (name: string) => unknown, where: string): unknown {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what} (line ${node.loc.start.line})`);
  };
  if (node.type === SyntaxType.Identifier) {
    // Enum members are found by the lookup too ("Color.GREEN").
    return lookup(node.value);
  }
  switch (type.kind) {
    case 'bool': {
      if (node.type === SyntaxType.BooleanLiteral) return node.value;
      const n = integer(node);
      return n === undefined ? fail(`expected a bool, got ${node.type}`) : n !== 0n;
    }
    case 'i8': case 'i16': case 'i32': case 'i64': {
      const n = integer(node);
      if (n === undefined) return fail(`expected an integer, got ${node.type}`);
      const [lo, hi] = RANGES[type.kind];
      if (n < lo || n > hi) fail(`${n} does not fit ${type.kind}`);
      return type.kind === 'i64' ? n : Number(n);
    }
    case 'enum': {
      const n = integer(node);
      if (n === undefined) return fail(`expected an enum value, got ${node.type}`);
      return Number(n);
    }
    case 'double': {
      if (node.type === SyntaxType.DoubleConstant) return Number(node.value.value);
      const n = integer(node);
      return n === undefined ? fail(`expected a number, got ${node.type}`) : Number(n);
    }
    case 'string':
      return node.type === SyntaxType.StringLiteral ? node.value : fail(`expected a string, got ${node.type}`);
    case 'binary':
      return node.type === SyntaxType.StringLiteral ? Buffer.from(node.value, 'utf8') : fail(`expected a string, got ${node.type}`);
    case 'uuid':
      return node.type === SyntaxType.StringLiteral ? formatUuid(parseUuid(node.value)) : fail(`expected a uuid string, got ${node.type}`);
    case 'list': case 'set':
      if (node.type !== SyntaxType.ConstList) return fail(`expected a list for ${typeName(type)}, got ${node.type}`);
      return node.elements.map((e, i) => constantValue(e, type.elem, lookup, `${where}[${i}]`));
    case 'map': {
      if (node.type !== SyntaxType.ConstMap) return fail(`expected a map for ${typeName(type)}, got ${node.type}`);
      const out = new Map<unknown, unknown>();
      for (const p of node.properties) out.set(constantValue(p.name, type.key, lookup, `${where} key`), constantValue(p.initializer, type.value, lookup, `${where} value`));
      return out;
    }
    case 'struct': {
      if (node.type !== SyntaxType.ConstMap) return fail(`expected {field: value} for ${type.def.name}, got ${node.type}`);
      const out: Record<string, unknown> = {};
      for (const p of node.properties) {
        if (p.name.type !== SyntaxType.StringLiteral) return fail(`${type.def.name} field names must be strings`);
        const field = type.def.byName.get(p.name.value);
        if (!field) return fail(`${type.def.name} has no field ${p.name.value}`);
        Object.defineProperty(out, field.name, { value: constantValue(p.initializer, field.type, lookup, `${where}.${field.name}`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

/** A deep copy, so that a default handed out can be changed without changing the next one. */
export function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(copyValue);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [copyValue(k), copyValue(v)]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: copyValue(v), enumerable: true, writable: true, configurable: true });
  return out;
}
