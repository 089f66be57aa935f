// Avro types for the IPC stack, built on avsc's schema parsing and binary encoding.
//
// Two choices differ from avsc's defaults, both for interoperability:
// - longs are BigInt across the whole 64-bit range (avsc's default rejects values beyond 2^53);
// - unions are wrapped ({"branch": value}), the same shape as Avro's JSON encoding, so that a
//   value always says which branch it is on the wire.
import { SameTypeFirstUnionType } from './union-resolution.ts';
import avsc from 'avsc';
import { DecimalType } from './decimal.ts';
import { minBytes, readBlockCount, skipBlocks, type Tap } from './decode.ts';
import { LimitError } from './limits.ts';

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
 * The avsc options behind our types. `guarded` false keeps avsc's own array and map reading:
 * that is how the avsc 5 services implementation is tested (its behaviour, not ours).
 */
export function typeOptions(options: TypeOptions, guarded: boolean): object {
  return {
    namespace: options.namespace,
    registry: options.registry,
    wrapUnions: true,
    logicalTypes: { decimal: DecimalType },
    // avsc takes "long" from the registry only when written as a bare name; the object form
    // ({"type": "long", "logicalType": "timestamp-micros"}) would get avsc's own number-based
    // long and lose precision, so it gets ours too.
    typeHook: (schema: unknown, opts: unknown) => {
      // A union resolves a value to the branch of its own type first (union-resolution.ts).
      if (Array.isArray(schema) && guarded) return new SameTypeFirstUnionType(schema, opts) as unknown as avsc.Type;
      const attrs = schema as { type?: unknown; logicalType?: unknown } | null;
      if (typeof attrs !== 'object' || attrs === null) return undefined;
      if (attrs.type === 'long') return options.registry['long'];
      if (attrs.type === 'map' && guarded) return new GuardedMapType(schema, opts) as unknown as avsc.Type;
      if (attrs.type === 'array' && guarded) return new GuardedArrayType(schema, opts) as unknown as avsc.Type;
      return undefined;
    },
  };
}

// avsc's array and map readers are replaced, for two reasons:
// - they loop over whatever count a block declares (2^40 entries with no bytes behind them keep
//   a process busy for good, 2^31 longs exhaust its heap): ours check each count against the
//   bytes left and the message's item budget first (decode.ts);
// - avsc 5 decodes a map into a plain object with `obj[key] = value`, so a key named "__proto__"
//   sets the object's prototype instead of adding an entry: the entry is silently lost (seen
//   against every peer with the echo-map-proto-key case). Ours use defineProperty.
// Only our types change: avsc's own services, tested as a separate implementation, keep avsc's
// behaviour. The readers are also a resolver's: avsc's resolvers call `this._read` with `this`
// bound to the resolver, whose itemsType/valuesType are resolvers; what the writer's items take
// on the wire is recorded per resolver when avsc builds it (_update).
interface ItemReader { _read(tap: Tap): unknown; _skip(tap: Tap): void }
interface ContainerShape { itemsType?: ItemReader & { typeName: string }; valuesType?: ItemReader & { typeName: string } }
interface Updatable { _update(resolver: object, writer: unknown, opts: unknown): void }

/** Writer item sizes of resolvers (resolvers are frozen objects that avsc creates). */
const resolverItemBytes = new WeakMap<object, number>();

function itemBytes(container: object, items: { typeName: string } | undefined, entryOverhead: number): number {
  return resolverItemBytes.get(container) ?? (items ? minBytes(items) + entryOverhead : entryOverhead);
}

const ArrayBase = avsc.types.ArrayType as unknown as new (schema: unknown, opts: unknown) => ContainerShape & Updatable;
const MapBase = avsc.types.MapType as unknown as new (schema: unknown, opts: unknown) => ContainerShape & Updatable;

class GuardedArrayType extends ArrayBase {
  _read(this: ContainerShape, tap: Tap): unknown[] {
    const items = this.itemsType as ItemReader;
    const min = itemBytes(this, this.itemsType, 0);
    const values: unknown[] = [];
    for (let n = readBlockCount(tap, 'array', min); n !== 0; n = readBlockCount(tap, 'array', min)) {
      for (let i = 0; i < n; i++) values.push(items._read(tap));
    }
    return values;
  }

  _skip(tap: Tap): void {
    const items = this.itemsType as ItemReader;
    skipBlocks(tap, 'array', itemBytes(this, this.itemsType, 0), (t) => items._skip(t));
  }

  override _update(resolver: object, writer: unknown, opts: unknown): void {
    super._update(resolver, writer, opts);
    const writerItems = (writer as ContainerShape).itemsType;
    if (writerItems) resolverItemBytes.set(resolver, minBytes(writerItems));
  }
}

class GuardedMapType extends MapBase {
  _read(this: ContainerShape, tap: Tap): Record<string, unknown> {
    const values = this.valuesType as ItemReader;
    // Each entry is a key (one byte at least) and a value.
    const min = itemBytes(this, this.valuesType, 1);
    const map: Record<string, unknown> = {};
    for (let n = readBlockCount(tap, 'map', min); n !== 0; n = readBlockCount(tap, 'map', min)) {
      for (let i = 0; i < n; i++) {
        const key = tap.readString();
        if (key === undefined) throw new LimitError('map key runs past the end of the message');
        Object.defineProperty(map, key, { value: values._read(tap), enumerable: true, writable: true, configurable: true });
      }
    }
    return map;
  }

  _skip(tap: Tap): void {
    const values = this.valuesType as ItemReader;
    skipBlocks(tap, 'map', itemBytes(this, this.valuesType, 1), (t) => {
      const key = t.readString();
      if (key === undefined) throw new LimitError('map key runs past the end of the message');
      values._skip(t);
    });
  }

  override _update(resolver: object, writer: unknown, opts: unknown): void {
    super._update(resolver, writer, opts);
    const writerValues = (writer as ContainerShape).valuesType;
    if (writerValues) resolverItemBytes.set(resolver, minBytes(writerValues) + 1);
  }
}
