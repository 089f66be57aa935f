// Avro types for the IPC stack, built on avsc's schema parsing and binary encoding.
//
// Two choices differ from avsc's defaults, both for interoperability:
// - longs are BigInt across the whole 64-bit range (avsc's default rejects values beyond 2^53);
// - unions are wrapped ({"branch": value}), the same shape as Avro's JSON encoding, so that a
//   value always says which branch it is on the wire.
import avsc from 'avsc';
import { DecimalType } from './decimal.ts';

export type AvroType = avsc.Type;

/** A long type holding BigInt, over the whole signed 64-bit range. */
export function bigintLong(): avsc.Type {
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
  return avsc.Type.forSchema(schema as avsc.Schema, typeOptions(options, true) as Partial<avsc.ForSchemaOptions>);
}

/**
 * The avsc options behind our types. `safeMaps` false keeps avsc's own map reading: that is how
 * the avsc 5 services implementation is tested (its behaviour, not ours).
 */
export function typeOptions(options: TypeOptions, safeMaps: boolean): object {
  return {
    namespace: options.namespace,
    registry: options.registry,
    wrapUnions: true,
    logicalTypes: { decimal: DecimalType },
    // avsc takes "long" from the registry only when written as a bare name; the object form
    // ({"type": "long", "logicalType": "timestamp-micros"}) would get avsc's own number-based
    // long and lose precision, so it gets ours too.
    typeHook: (schema: unknown, opts: unknown) => {
      const attrs = schema as { type?: unknown; logicalType?: unknown } | null;
      if (typeof attrs !== 'object' || attrs === null) return undefined;
      if (attrs.type === 'long') return options.registry['long'];
      if (attrs.type === 'map' && safeMaps) return new SafeMapType(schema, opts) as unknown as avsc.Type;
      return undefined;
    },
  };
}

// avsc 5 decodes a map into a plain object with `obj[key] = value`, so a key named "__proto__"
// sets the object's prototype instead of adding an entry: the entry is silently lost (seen
// against every peer with the echo-map-proto-key case). Our map types read with
// defineProperty instead. Only our types change: avsc's own services, tested as a separate
// implementation, keep avsc's behaviour.
interface Tap { readLong(): number; skipLong(): void; readString(): string }

class SafeMapType extends (avsc.types.MapType as unknown as new (schema: unknown, opts: unknown) => { valuesType: { _read(tap: Tap): unknown } }) {
  _read(tap: Tap): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (let n = tap.readLong(); n !== 0; n = tap.readLong()) {
      if (n < 0) {
        n = -n;
        tap.skipLong(); // the block's size in bytes: not needed when every entry is read
      }
      while (n-- > 0) {
        const key = tap.readString();
        Object.defineProperty(map, key, { value: this.valuesType._read(tap), enumerable: true, writable: true, configurable: true });
      }
    }
    return map;
  }
}
