// The part of the value notation both families' case data share (suites/avro/data/README.md and
// suites/thrift/data/README.md, "bytes" and "long texts"): bytes as {"$hex"}, {"$range"} or
// {"$repeat"}, long strings as {"$text"}, and the floating-point values JSON has no number for. Each family reads the rest of its notation against its
// own schema or IDL (suites/<family>/notation.ts).

/** A JSON value as the case files hold it. */
export type NotationJson = null | boolean | number | string | readonly NotationJson[] | { readonly [key: string]: NotationJson };

function isObject(value: NotationJson | undefined): value is { readonly [key: string]: NotationJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A floating-point number: a JSON number, or "NaN", "Infinity", "-Infinity" or "-0.0". */
export function floatFromNotation(json: NotationJson, what: string): number {
  if (typeof json === 'number') return json;
  switch (json) {
    case 'NaN': return Number.NaN;
    case 'Infinity': return Number.POSITIVE_INFINITY;
    case '-Infinity': return Number.NEGATIVE_INFINITY;
    case '-0.0': return -0;
    default: throw new Error(`${what} notation ${JSON.stringify(json)}`);
  }
}

/** Bytes: {"$hex": "00ff"}, {"$range": [from, to]} (every byte value from..to) or {"$repeat": {"hex", "count"}}. */
export function bytesFromNotation(json: NotationJson): Buffer {
  if (!isObject(json)) throw new Error(`bytes notation must be an object, got ${JSON.stringify(json)}`);
  if (typeof json['$hex'] === 'string') return Buffer.from(json['$hex'], 'hex');
  const range = json['$range'];
  if (Array.isArray(range)) {
    const [from, to] = range as [number, number];
    return Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  }
  const repeat = json['$repeat'];
  if (isObject(repeat)) {
    const unit = Buffer.from(String(repeat['hex']), 'hex');
    return Buffer.alloc(Number(repeat['count']) * unit.length, unit);
  }
  throw new Error(`unknown bytes notation ${JSON.stringify(json)}`);
}

/** A string: itself, or {"$text": {"prefix", "repeat", "count"}}, the prefix then `repeat` `count` times. */
export function textFromNotation(json: NotationJson): string {
  if (typeof json === 'string') return json;
  const spec = isObject(json) ? json['$text'] : undefined;
  if (isObject(spec)) return String(spec['prefix'] ?? '') + String(spec['repeat']).repeat(Number(spec['count']));
  throw new Error(`string notation must be a string or {"$text": ...}, got ${JSON.stringify(json)}`);
}
