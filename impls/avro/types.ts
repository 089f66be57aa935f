// Avro types for the IPC stack, built on avsc's schema parsing and binary encoding.
//
// Two choices differ from avsc's defaults, both for interoperability:
// - longs are BigInt across the whole 64-bit range (avsc's default rejects values beyond 2^53);
// - unions are wrapped ({"branch": value}), the same shape as Avro's JSON encoding, so that a
//   value always says which branch it is on the wire.
import avsc from 'avsc';
import { DecimalType } from './decimal.ts';

export type AvroType = avsc.Type;

function bigintLong(): avsc.Type {
  return avsc.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
    toBuffer: (value: bigint) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(value, 0);
      return buf;
    },
    fromJSON: (json: unknown) => BigInt(json as string | number),
    toJSON: (value: bigint) => (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()),
    isValid: (value: unknown) => typeof value === 'bigint' && BigInt.asIntN(64, value) === value,
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
}

export interface TypeOptions {
  readonly namespace?: string;
  /** Shared between the schemas of one protocol so named types resolve across them. */
  readonly registry: Record<string, avsc.Type>;
}

/** A fresh registry with our long type; one per protocol. */
export function newRegistry(): Record<string, avsc.Type> {
  return { long: bigintLong() };
}

export function parseType(schema: unknown, options: TypeOptions): avsc.Type {
  return avsc.Type.forSchema(schema as avsc.Schema, {
    namespace: options.namespace,
    registry: options.registry,
    wrapUnions: true,
    logicalTypes: { decimal: DecimalType },
  } as unknown as Partial<avsc.ForSchemaOptions>);
}
