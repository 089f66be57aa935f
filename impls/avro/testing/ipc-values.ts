// Values across the IPC of a test's child process (testing/child.ts, suites/hostile/ours/child.ts):
// JSON cannot carry bigint or Buffer, so a command's parameters come as {"$bigint": "5"} and
// {"$bytes": {"size": n, "fill": b}}, and an answer goes back summarised (a Buffer as its length, a
// long array or a Map as its size), which is all the tests compare.

/** A command's parameters as the implementation takes them. */
export function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (typeof record['$bigint'] === 'string') return BigInt(record['$bigint']);
  const bytes = record['$bytes'] as { size: number; fill: number } | undefined;
  if (bytes) return Buffer.alloc(bytes.size, bytes.fill);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, revive(v)]));
}

/** An answer as JSON can carry it back. */
export function summarise(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $byteLength: value.length };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.length > 20 ? { $arrayLength: value.length } : value.map(summarise);
  if (value instanceof Map) return { $mapSize: value.size };
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarise(v)]));
  return value;
}
