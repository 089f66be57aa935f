// Data-file throughput: our TypeScript writer and reader beside Python's and Java's, in one run,
// on a ~100 MB file (not a test: `npm run bench:datafile`). Each language writes the same records
// (a set of 1000 records repeated) with each codec, then reads its own file and ours, decoding
// every record without rendering it. Peers run their jobs in one container each; the time is
// what the peer measured around its library calls (JVM and container start excluded).
//
//   BENCH_MB=100 BENCH_CODECS=null,deflate npm run bench:datafile
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePeerImage } from '../../harness/docker/images.ts';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import { runClient } from '../../harness/docker/containers.ts';
import { configureReaper } from '../../harness/docker/engine.ts';
import { parseJobResults, type Job, type JobResult } from './jobs.ts';
import { runOurJobs } from './ours.ts';
import { OURS, PEER_FOLDERS, participantRelease } from './plan.ts';

const TARGET_MB = Number(process.env['BENCH_MB'] ?? 100);
const CODECS = (process.env['BENCH_CODECS'] ?? 'null,deflate,snappy,zstandard').split(',');
const PEERS = (process.env['BENCH_PEERS'] ?? 'python,java').split(',').filter(Boolean);
const root = join(REPO_ROOT, 'reports', 'work', 'datafile', `bench-${Date.now()}`);

const schema = {
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
      id: String(BigInt.asIntN(64, BigInt(next()) * 4294967296n + BigInt(next()))), user: `user-${next() % 5000}@example.org`, score: (next() % 100000) / 7,
      count: next() % 1000, tags: ['alpha', 'beta', 'gamma'].slice(0, next() % 4), payload: { $hex: payload.toString('hex') },
      note: i % 3 === 0 ? null : { string: `note ${i} ${'x'.repeat(next() % 30)}` },
    });
  }
  return out;
}

async function peerJobs(peer: string, image: string, jobs: Job[], name: string): Promise<JobResult[]> {
  const path = join(root, `${peer}-${name}.json`);
  writeFileSync(path, JSON.stringify(jobs));
  const run = await runClient({ image, peer: PEER_FOLDERS[peer] ?? peer, role: 'datafile', mounts: [root], args: ['batch', '--jobs', path], timeoutSeconds: 1800 });
  return parseJobResults(run.stdout, jobs.length, `exit ${run.exitCode}: ${run.stderr.slice(-2000)}`);
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  const notice = await configureReaper();
  if (notice) console.error(notice);
  const schemaPath = join(root, 'schema.avsc');
  const recordsPath = join(root, 'records.json');
  writeFileSync(schemaPath, JSON.stringify(schema));
  writeFileSync(recordsPath, JSON.stringify(records()));
  // Size of one repetition, measured with our null-codec writer.
  const probe = runOurJobs([{ op: 'write', schema: schemaPath, codec: 'null', records: recordsPath, out: join(root, 'probe.avro') }]).results[0];
  if (!probe?.ok) throw new Error(`bench records do not fit the schema: ${probe?.error ?? ''}`);
  const perRepeat = statSync(join(root, 'probe.avro')).size;
  const repeat = Math.max(1, Math.round((TARGET_MB * 1e6) / perRepeat));
  const images: Record<string, string> = {};
  for (const peer of PEERS) images[peer] = (await ensurePeerImage(participantRelease(peer), (l) => console.error(l))).tag;
  const participants = [OURS, ...PEERS];
  const file = (who: string, codec: string): string => join(root, `${who}-${codec}.avro`);
  const writes = (who: string): Job[] => CODECS.map((codec) => ({ op: 'write', schema: schemaPath, codec, records: recordsPath, out: file(who, codec), repeat }));
  const reads = (who: string): Job[] => CODECS.flatMap((codec) => [
    { op: 'read', in: file(who, codec), out: join(root, `${who}-reads-own-${codec}.jsonl`), discard: true } as Job,
    ...(who === OURS ? [] : [{ op: 'read', in: file(OURS, codec), out: join(root, `${who}-reads-ours-${codec}.jsonl`), discard: true } as Job]),
  ]);
  const results = new Map<string, { write: JobResult[]; read: JobResult[] }>();
  // Sequential, one language at a time: two cores, and no run should slow another down.
  for (const who of participants) {
    console.error(`bench: ${who} writing ${CODECS.length} files of ${repeat * 1000} records ...`);
    const write = who === OURS ? runOurJobs(writes(who)).results : await peerJobs(who, images[who] as string, writes(who), 'write');
    console.error(`bench: ${who} reading ...`);
    const read = who === OURS ? runOurJobs(reads(who)).results : await peerJobs(who, images[who] as string, reads(who), 'read');
    results.set(who, { write, read });
  }
  const mb = (path: string): number => { try { return statSync(path).size / 1e6; } catch { return NaN; } };
  const rate = (path: string, r: JobResult | undefined): number => (r?.ok ? mb(path) / r.seconds : NaN);
  const lines: string[] = [`# Avro data-file throughput (${repeat * 1000} records per file, ~${TARGET_MB} MB uncompressed)`, '',
    '| codec | language | file MB | write MB/s | read own MB/s | read ours MB/s | ours/them write | ours/them read |', '|---|---|---|---|---|---|---|---|'];
  const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  CODECS.forEach((codec, c) => {
    const ours = results.get(OURS);
    const oursWrite = rate(file(OURS, codec), ours?.write[c]);
    const oursRead = rate(file(OURS, codec), ours?.read[c]);
    for (const who of participants) {
      const r = results.get(who);
      const write = rate(file(who, codec), r?.write[c]);
      const readOwn = rate(file(who, codec), r?.read[who === OURS ? c : 2 * c]);
      const readOurs = who === OURS ? oursRead : rate(file(OURS, codec), r?.read[2 * c + 1]);
      const failed = [...(r?.write ?? []), ...(r?.read ?? [])].filter((j) => !j.ok).map((j) => j.error);
      lines.push(`| ${codec} | ${who} | ${fmt(mb(file(who, codec)))} | ${fmt(write)} | ${fmt(readOwn)} | ${fmt(readOurs)} | ${who === OURS ? '1.00' : (oursWrite / write).toFixed(2)} | ${who === OURS ? '1.00' : (oursRead / readOwn).toFixed(2)} |${failed.length ? ` errors: ${failed.slice(0, 1).join('')}` : ''}`);
    }
  });
  lines.push('', 'MB = 10^6 bytes of the file as written (compressed size for compressing codecs); ratios > 1: ours is faster.');
  const report = lines.join('\n');
  writeFileSync(join(REPO_ROOT, 'reports', 'bench-datafile.md'), `${report}\n`);
  console.log(report);
}

await main();
