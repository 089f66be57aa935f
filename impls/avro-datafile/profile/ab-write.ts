// CPU per record of our writer, this checkout against another one (before/after a change), on the
// host, without containers: a fresh process per checkout, codec and round, the two checkouts
// alternating (which goes first swaps every round), each writing the bench's records after an
// unmeasured warm-up write of a fifth as many. CPU time (process.cpuUsage: user + system, every
// thread) rather than wall time: on the shared 2-core machine wall time is mostly waiting.
//
//   node impls/avro-datafile/profile/ab-write.ts --old /path/to/other/checkout \
//     [--codecs null,snappy,zstandard] [--rounds 5] [--records 200000]
//
// The other checkout needs its node_modules (a link to this one's will do).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(import.meta.url);
const thisRoot = resolve(dirname(here), '..', '..', '..');

interface Writer {
  append(value: unknown): void;
  close(): void;
}
interface WriterModule {
  DataFileWriter: { create(path: string, schema: unknown, options: { codec: string }): Writer };
}
interface RecordsModule {
  EVENT_SCHEMA: unknown;
  eventRecords(): unknown[];
}

/** The child: one checkout, one codec; prints the measured write's CPU µs per record. */
async function child(root: string, codec: string, count: number): Promise<void> {
  const { EVENT_SCHEMA, eventRecords } = (await import(pathToFileURL(join(root, 'bench', 'datafile-records.ts')).href)) as RecordsModule;
  const { DataFileWriter } = (await import(pathToFileURL(join(root, 'impls', 'avro-datafile', 'index.ts')).href)) as WriterModule;
  const records = eventRecords();
  const dir = mkdtempSync(join(tmpdir(), 'ab-write-'));
  try {
    const write = (n: number): number => {
      const started = process.cpuUsage();
      const writer = DataFileWriter.create(join(dir, 'out.avro'), EVENT_SCHEMA, { codec });
      for (let i = 0; i < n; i++) writer.append(records[i % records.length]);
      writer.close();
      const used = process.cpuUsage(started);
      return (used.user + used.system) / n;
    };
    write(Math.ceil(count / 5));
    process.stdout.write(`${write(count).toFixed(4)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' }, old: { type: 'string' }, codecs: { type: 'string', default: 'null,snappy,zstandard' },
      rounds: { type: 'string', default: '5' }, records: { type: 'string', default: '200000' }, codec: { type: 'string' },
    },
  });
  const count = Number(values.records);
  if (values.child) return child(values.child, values.codec ?? 'null', count);
  if (!values.old) throw new Error('usage: ab-write.ts --old DIR [--codecs a,b] [--rounds N] [--records N]');
  const roots = { old: resolve(values.old), new: thisRoot };
  const run = (root: string, codec: string): number =>
    Number(execFileSync(process.execPath, [here, '--child', root, '--codec', codec, '--records', String(count)], { encoding: 'utf8', timeout: 60_000 }).trim());
  for (const codec of values.codecs.split(',')) {
    const seen = { old: [] as number[], new: [] as number[] };
    for (let round = 0; round < Number(values.rounds); round++) {
      const order = round % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
      for (const which of order) seen[which].push(run(roots[which], codec));
    }
    const show = (xs: number[]): string => `median ${median(xs).toFixed(3)} (${xs.map((x) => x.toFixed(3)).join(' ')})`;
    console.log(`${codec.padEnd(10)} µs CPU/record  old ${show(seen.old)}  new ${show(seen.new)}  new/old ${(median(seen.new) / median(seen.old)).toFixed(2)}`);
  }
}

await main();
