// Micro-benchmark of our data-file writer and reader, in one process, for profiling
// (node --cpu-prof impls/avro-datafile/profile/datafile.ts [MB] [codecs] [rounds]). Records of the
// same shape as bench/datafile.ts's (long, string, double, int, array of strings, bytes, optional
// string); prints records per second per codec and operation, best of the rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFileReader, DataFileWriter } from '../index.ts';

const SCHEMA = {
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

function records(): unknown[] {
  const out: unknown[] = [];
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

const megabytes = Number(process.argv[2] ?? 20);
const codecs = (process.argv[3] ?? 'null,deflate,snappy,zstandard').split(',');
const rounds = Number(process.argv[4] ?? 3);
// "read": files written once, then only read (a profile of the read path alone); likewise "write".
const only = process.argv[5];
const dir = mkdtempSync(join(tmpdir(), 'dfprofile-'));
const batch = records();
try {
  const probe = join(dir, 'probe.avro');
  const w = DataFileWriter.create(probe, SCHEMA, { codec: 'null' });
  for (const r of batch) w.append(r);
  w.close();
  const repeat = Math.max(1, Math.round((megabytes * 1e6) / statSync(probe).size));
  const total = repeat * batch.length;
  // Records per second of wall time and per CPU-second (the latter moves less with other load).
  const best = new Map<string, number>();
  const bestCpu = new Map<string, number>();
  let cpuStarted = 0;
  const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const note = (key: string, rate: number): void => {
    best.set(key, Math.max(best.get(key) ?? 0, rate));
    bestCpu.set(key, Math.max(bestCpu.get(key) ?? 0, total / (cpuNow() - cpuStarted)));
  };
  for (let round = 0; round < rounds; round++) {
    for (const codec of codecs) {
      const path = join(dir, `${codec}.avro`);
      let started = performance.now();
      cpuStarted = cpuNow();
      if (round === 0 || only !== 'read') {
        const writer = DataFileWriter.create(path, SCHEMA, { codec });
        for (let r = 0; r < repeat; r++) for (const record of batch) writer.append(record);
        writer.close();
        note(`${codec}/write`, total / ((performance.now() - started) / 1000));
      }
      if (only === 'write') continue;
      started = performance.now();
      cpuStarted = cpuNow();
      const reader = DataFileReader.open(path);
      let count = 0;
      for (const _ of reader.records()) count++;
      reader.close();
      if (count !== total) throw new Error(`${codec}: read ${count} of ${total} records`);
      note(`${codec}/read`, total / ((performance.now() - started) / 1000));
    }
  }
  const show = (n: number | undefined): string => Math.round(n ?? 0).toLocaleString('en-US').padStart(12);
  for (const [key, rate] of best) console.log(`${key.padEnd(18)} ${show(rate)} records/s ${show(bestCpu.get(key))} records/cpu-s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
