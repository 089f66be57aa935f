// Canonical values <-> what avro-js takes and gives (values.ts), checked against avro-js's own
// types: what goes in is what avro-js validates, what comes out is canonical.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProtocol } from './library.ts';
import { ProtocolSchemas } from './schema.ts';
import { ValueConverter } from './values.ts';

const NS = 'org.conformance.avro';
const text = readFileSync(new URL('../../suites/avro/data/protocols/conformance.avpr', import.meta.url), 'utf8');
const values = new ValueConverter(new ProtocolSchemas(text));
const library = parseProtocol(text);

interface LibraryType { isValid(value: unknown): boolean; toBuffer(value: unknown): Buffer; fromBuffer(bytes: Buffer): unknown }
function responseType(message: string): LibraryType {
  return (library.getMessages()[message] as unknown as { responseType: LibraryType }).responseType;
}

/** Canonical -> avro-js -> bytes -> avro-js -> canonical, through the message's response type. */
function roundTrip(message: string, value: unknown): unknown {
  const type = responseType(message);
  const input = values.responseIn(message, value);
  expect(type.isValid(input)).toBe(true);
  return values.responseOut(message, type.fromBuffer(type.toBuffer(input)));
}

describe('ValueConverter', () => {
  it('keeps a "__proto__" map key an own property on the way in, so avro-js writes it', () => {
    const map: Record<string, string> = {};
    Object.defineProperty(map, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });
    const input = values.responseIn('echoStringMap', map) as object;
    expect(Object.keys(input)).toEqual(['__proto__']);
    expect(responseType('echoStringMap').toBuffer(input).toString('hex')).toBe('02125f5f70726f746f5f5f027000');
  });

  it('turns avro-js records and unions (generated classes) into plain objects, with full branch names', () => {
    const node = { label: 'a', next: { [`${NS}.Node`]: { label: 'b', next: null } } };
    const out = roundTrip('echoRecursive', node);
    expect(out).toEqual(node);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('passes longs as BigInt where the registered long type reads them, and as exact numbers to avro-js\'s default long (logical longs)', () => {
    const logical = { amount: { unscaled: 5n, scale: 4 }, id: 'u', day: 1, timeMillis: 2, timeMicros: 3n, stampMillis: 4n, stampMicros: 2n ** 60n };
    const input = values.responseIn('echoLogical', logical) as { timeMicros: unknown; stampMicros: unknown };
    expect(input.timeMicros).toBe(3); // {"type": "long", "logicalType": ...}: avro-js's default LongType
    expect(input.stampMicros).toBe(2n ** 60n); // not exact as a number: handed over as is, avro-js refuses it
    expect(responseType('echoLogical').isValid(input)).toBe(false);
    expect(roundTrip('echoLong', 2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
  });

  it('converts decimals to and from their minimal two\'s complement bytes, nested record namespaces included', () => {
    const everything = {
      flag: true, count: 1, total: -(2n ** 62n), ratio: 0.5, precise: -2.25, blob: Buffer.from('ab'), name: 'n',
      digest: Buffer.alloc(16, 1), suit: 'CLUBS', points: [{ x: 1, y: 2 }], tags: { k: 'v' }, maybe: { string: 's' },
      nested: { depth: 3, where: { x: 0, y: 0 } },
    };
    expect(roundTrip('echoRecord', everything)).toEqual(everything);
    const logical = { amount: { unscaled: -128n, scale: 4 }, id: 'u', day: 1, timeMillis: 2, timeMicros: 3n, stampMillis: 4n, stampMicros: 5n };
    expect((values.responseIn('echoLogical', logical) as { amount: Buffer }).amount).toEqual(Buffer.from([0x80]));
    expect(roundTrip('echoLogical', logical)).toEqual(logical);
  });

  it('maps declared errors by full name, the string branch excepted', () => {
    const schema = values.errorSchema('fail', `${NS}.ConformanceError`);
    expect(schema).toBeDefined();
    expect(values.errorSchema('fail', 'ConformanceError')).toBeUndefined();
    expect(values.errorSchema('failUndeclared', `${NS}.ConformanceError`)).toBeUndefined();
  });
});
