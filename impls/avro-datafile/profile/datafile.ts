// Micro-benchmark of our data-file writer and reader, in one process, for profiling
// (node --cpu-prof impls/avro-datafile/profile/datafile.ts [MB] [codecs] [rounds]). Records of the
// same shape as bench/datafile.ts's (long, string, double, int, array of strings, bytes, optional
// string); prints records per second per codec and operation, best of the rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_SCHEMA, eventRecords } from '../../../bench/datafile-records.ts';
import { DataFileReader, DataFileWriter } from '../index.ts';

const megabytes = Number(process.argv[2] ?? 20);
const codecs = (process.argv[3] ?? 'null,deflate,snappy,zstandard').split(',');
const rounds = Number(process.argv[4] ?? 3);
// "read": files written once, then only read (a profile of the read path alone); likewise "write".
const only = process.argv[5];
const dir = mkdtempSync(join(tmpdir(), 'dfprofile-'));
const batch = eventRecords();
try {
  const probe = join(dir, 'probe.avro');
  const w = DataFileWriter.create(probe, EVENT_SCHEMA, { codec: 'null' });
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
        const writer = DataFileWriter.create(path, EVENT_SCHEMA, { codec });
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
