// Writer and reader types for data files, on impls/avro's avsc setup (BigInt longs, wrapped unions,
// decimals, maps safe for "__proto__" keys), and the resolver between them.
import avsc from 'avsc';
import { newRegistry, parseType, type AvroType } from '../avro/types.ts';
import { DataFileError } from './errors.ts';

export type { AvroType };

export function typeOf(schema: unknown, role: 'writer' | 'reader'): AvroType {
  try {
    if (role === 'reader') return parseType(bareFloats(schema), { registry: { ...newRegistry(), ...promotingFloats() } });
    return parseType(schema, { registry: newRegistry() });
  } catch (error) {
    throw new DataFileError(role === 'writer' ? 'bad-header' : 'schema', `the ${role}'s schema does not parse: ${(error as Error).message}`, { cause: error });
  }
}

/** What reading needs: the type values come out as, and how to get there from the writer's bytes. */
export interface ReadPlan {
  readonly writerType: AvroType;
  readonly readerType: AvroType;
  /** undefined when the reader reads with the writer's schema. */
  readonly resolver: unknown;
}

export function readPlan(writerSchema: unknown, readerSchema: unknown): ReadPlan {
  const writerType = typeOf(writerSchema, 'writer');
  if (readerSchema === undefined) return { writerType, readerType: writerType, resolver: undefined };
  const readerType = typeOf(readerSchema, 'reader');
  try {
    return { writerType, readerType, resolver: readerType.createResolver(writerType) };
  } catch (error) {
    throw new DataFileError('schema', `the reader's schema cannot read the writer's: ${(error as Error).message}`, { cause: error });
  }
}


// avsc 5.7.9 promotes wrongly into float and double (lib/types.js FloatType/DoubleType._update):
// int -> float keeps the int unrounded (2147483647 instead of 2147483648), and long -> float /
// double reads with avsc's number-based Tap.readLong, which is inexact beyond 2^53 and turns
// -2^63 into +2^63. A reader's float and double types here do these promotions themselves: the
// writer's value (a BigInt for longs) to the nearest double, then to the nearest float for floats.
// They enter through the registry, which avsc consults for bare type names; bareFloats writes
// {"type": "double"} as "double" so that every float and double of a reader schema is ours.
interface Tap { readonly pos: number }
interface Resolver { _read: (tap: Tap) => unknown }
interface WriterNode { readonly typeName: string; _read(tap: Tap): unknown }
type PrimitiveCtor = new () => { _update(resolver: Resolver, writer: WriterNode, opts: unknown): void };

function promoting(base: PrimitiveCtor, round: (x: number) => number): avsc.Type {
  class Promoting extends base {
    override _update(resolver: Resolver, writer: WriterNode, opts: unknown): void {
      super._update(resolver, writer, opts);
      if (['int', 'long', 'abstract:long', 'float'].includes(writer.typeName)) {
        resolver._read = (tap) => {
          const value = writer._read(tap);
          return round(typeof value === 'bigint' ? Number(value) : (value as number));
        };
      }
    }
  }
  return new Promoting() as unknown as avsc.Type;
}

function promotingFloats(): Record<string, avsc.Type> {
  const types = avsc.types as unknown as { FloatType: PrimitiveCtor; DoubleType: PrimitiveCtor };
  return { float: promoting(types.FloatType, Math.fround), double: promoting(types.DoubleType, (x) => x) };
}

function bareFloats(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(bareFloats);
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = schema as Record<string, unknown>;
  if ((node['type'] === 'float' || node['type'] === 'double') && node['logicalType'] === undefined) return node['type'];
  const out: Record<string, unknown> = { ...node };
  if (Array.isArray(node['fields'])) out['fields'] = (node['fields'] as Record<string, unknown>[]).map((f) => ({ ...f, type: bareFloats(f['type']) }));
  if (node['items'] !== undefined) out['items'] = bareFloats(node['items']);
  if (node['values'] !== undefined) out['values'] = bareFloats(node['values']);
  if (typeof node['type'] === 'object') out['type'] = bareFloats(node['type']);
  return out;
}
