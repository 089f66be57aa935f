// The records of the data-file benchmark: one schema and 1000 records from a fixed-seed generator,
// the same every run. The bench hands them to every participant in the data-file value notation;
// impls/avro-datafile/profile/ writes them as values with our writer directly.

export const EVENT_SCHEMA = {
  type: 'record', name: 'Event', namespace: 'org.conformance.bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'user', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'count', type: 'int' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'payload', type: 'bytes' },
    { name: 'note', type: ['null', 'string'] },
  ],
};

export interface EventRecord {
  readonly id: bigint;
  readonly user: string;
  readonly score: number;
  readonly count: number;
  readonly tags: readonly string[];
  readonly payload: Buffer;
  readonly note: { readonly string: string } | null;
}

export function eventRecords(): EventRecord[] {
  const out: EventRecord[] = [];
  let seed = 12345;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 1000; i++) {
    const payload = Buffer.alloc(40 + (next() % 40));
    for (let k = 0; k < payload.length; k++) payload[k] = next() & 0xff;
    out.push({
      id: BigInt.asIntN(64, BigInt(next()) * 4294967296n + BigInt(next())), user: `user-${next() % 5000}@example.org`, score: (next() % 100000) / 7,
      count: next() % 1000, tags: ['alpha', 'beta', 'gamma'].slice(0, next() % 4), payload,
      note: i % 3 === 0 ? null : { string: `note ${i} ${'x'.repeat(next() % 30)}` },
    });
  }
  return out;
}

/** The records in the data-file value notation (longs as decimal strings, bytes as {"$hex"}). */
export function eventRecordsInNotation(): unknown[] {
  return eventRecords().map((r) => ({ ...r, id: String(r.id), payload: { $hex: r.payload.toString('hex') } }));
}
