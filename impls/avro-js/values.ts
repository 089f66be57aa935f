// Converts between the contract's canonical values (harness/contract/avro.ts) and what avro-js
// takes and gives, position by position from the protocol's schemas. Only representation changes
// here, never content: whatever avro-js loses or refuses stays lost or refused.
//
// What differs between the two:
// - longs: avro-js parses a "long" name reference with the type registered for it (BigInt here,
//   library.ts), but a long written as an object ({"type": "long", "logicalType": ...}) with its
//   default LongType, which takes and gives plain numbers and refuses unsafe ones. A BigInt goes
//   in as a number only where it converts exactly; otherwise it goes in as it is and avro-js
//   refuses it. A number that comes out (avro-js never gives an inexact one) becomes a BigInt.
// - records and unions come out as instances of generated classes: they become plain objects.
// - maps: every own enumerable key goes in and comes out with defineProperty, so "__proto__" is
//   an entry on our side; whether avro-js keeps it is avro-js's business.
// - decimal: avro-js has no decimal type (the logical type falls back to its bytes); the contract
//   wants {unscaled, scale}.
import { decimalFromBytes, decimalToBytes, type Decimal } from '../avro/decimal.ts';
import type { Located, ProtocolSchemas, Schema, SchemaObject } from './schema.ts';

type Direction = 'in' | 'out';

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function asBuffer(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

/** Sign-extends (or checks) a decimal's minimal bytes to a fixed size. */
function fixedDecimal(unscaled: bigint, size: number): Buffer {
  const minimal = decimalToBytes(unscaled);
  if (minimal.length > size) throw new Error(`decimal ${unscaled} does not fit ${size} bytes`);
  return Buffer.concat([Buffer.alloc(size - minimal.length, unscaled < 0n ? 0xff : 0), minimal]);
}

export class ValueConverter {
  private readonly schemas: ProtocolSchemas;

  constructor(schemas: ProtocolSchemas) {
    this.schemas = schemas;
  }

  /** A message's parameters, canonical -> avro-js. */
  requestIn(message: string, request: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return this.parameters('in', message, request);
  }

  /** A message's parameters as avro-js decoded them -> canonical. */
  requestOut(message: string, request: unknown): Record<string, unknown> {
    return this.parameters('out', message, request);
  }

  responseIn(message: string, value: unknown): unknown {
    return this.convert('in', this.at(this.schemas.message(message).response), value);
  }

  responseOut(message: string, value: unknown): unknown {
    return this.convert('out', this.at(this.schemas.message(message).response), value);
  }

  /** The schema of a declared error of a message, by its full name (undefined if not declared). */
  errorSchema(message: string, type: string): Located | undefined {
    return this.schemas.message(message).errors.map((schema) => this.at(schema)).find((located) => this.schemas.branchName(located) === type);
  }

  errorIn(error: Located, value: unknown): unknown {
    return this.convert('in', error, value);
  }

  errorOut(error: Located, value: unknown): unknown {
    return this.convert('out', error, value);
  }

  private at(schema: Schema): Located {
    return { schema, namespace: this.schemas.namespace };
  }

  private parameters(direction: Direction, message: string, request: unknown): Record<string, unknown> {
    const source = (request ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const parameter of this.schemas.message(message).request) {
      const value = source[parameter.name];
      if (value !== undefined) define(out, parameter.name, this.convert(direction, this.at(parameter.type), value));
    }
    return out;
  }

  private convert(direction: Direction, located: Located, value: unknown): unknown {
    const resolved = this.schemas.resolve(located);
    const { schema, namespace } = resolved;
    if (Array.isArray(schema)) return this.union(direction, schema, namespace, value);
    if (typeof schema === 'string') return this.primitive(direction, schema, value, true);
    if (typeof schema.type !== 'string' || !KINDS.has(schema.type)) {
      return this.convert(direction, { schema: schema.type, namespace }, value); // {"type": <reference or union>}
    }
    return this.complex(direction, schema, namespace, value);
  }

  private primitive(direction: Direction, type: string, value: unknown, registered: boolean): unknown {
    switch (type) {
      case 'long':
        if (direction === 'out') return typeof value === 'number' ? BigInt(value) : value;
        // The registered (BigInt) long takes BigInts; avro-js's default LongType takes numbers.
        return !registered && typeof value === 'bigint' && Number.isSafeInteger(Number(value)) ? Number(value) : value;
      case 'bytes':
        return direction === 'out' ? asBuffer(value) : value;
      default:
        return value;
    }
  }

  private complex(direction: Direction, schema: SchemaObject, namespace: string, value: unknown): unknown {
    const inner = typeof schema.name === 'string' && (schema.type === 'record' || schema.type === 'error' || schema.type === 'fixed' || schema.type === 'enum')
      ? (schema.name.includes('.') ? schema.name.slice(0, schema.name.lastIndexOf('.')) : schema.namespace ?? namespace)
      : namespace;
    switch (schema.type) {
      case 'record':
      case 'error': {
        if (!isObject(value)) return value;
        const out: Record<string, unknown> = {};
        for (const field of schema.fields ?? []) {
          const fieldValue = value[field.name];
          if (fieldValue !== undefined) define(out, field.name, this.convert(direction, { schema: field.type, namespace: inner }, fieldValue));
        }
        return out;
      }
      case 'array':
        return Array.isArray(value) ? value.map((item) => this.convert(direction, { schema: schema.items ?? 'null', namespace }, item)) : value;
      case 'map': {
        if (!isObject(value)) return value;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) define(out, key, this.convert(direction, { schema: schema.values ?? 'null', namespace }, value[key]));
        return out;
      }
      case 'bytes':
      case 'fixed':
        if (schema.logicalType === 'decimal') return this.decimal(direction, schema, value);
        return direction === 'out' ? asBuffer(value) : value;
      case 'enum':
        return value;
      default:
        // A primitive written as an object: avro-js builds it with its default type, not the registry's.
        return this.primitive(direction, schema.type as string, value, false);
    }
  }

  private decimal(direction: Direction, schema: SchemaObject, value: unknown): unknown {
    const scale = schema.scale ?? 0;
    if (direction === 'out') return Buffer.isBuffer(value) || value instanceof Uint8Array ? decimalFromBytes(Buffer.from(value), scale) : value;
    const decimal = value as Decimal;
    if (!isObject(value) || typeof decimal.unscaled !== 'bigint') return value;
    if (decimal.scale !== scale) throw new Error(`decimal of scale ${decimal.scale} where the schema has scale ${scale}`);
    return schema.type === 'fixed' ? fixedDecimal(decimal.unscaled, schema.size ?? 0) : decimalToBytes(decimal.unscaled);
  }

  private union(direction: Direction, branches: readonly Schema[], namespace: string, value: unknown): unknown {
    if (value === null || !isObject(value)) return value;
    const keys = Object.keys(value);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined) return value;
    const branch = branches.map((schema) => ({ schema, namespace })).find((located) => this.schemas.branchName(located) === key);
    if (!branch) return value; // not a branch of this union: avro-js says so when it writes it
    const out: Record<string, unknown> = {};
    define(out, key, this.convert(direction, branch, value[key]));
    return out;
  }
}

const KINDS = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string', 'record', 'error', 'enum', 'fixed', 'array', 'map']);
