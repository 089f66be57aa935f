// Records per CPU-second of our data-file writer and reader beside Java's, for a machine too loaded
// for the bench's wall-clock ratios (npm run bench -- --datafile-only: on 2 cores at load average
// 15-30 its per-round ratios ranged 0.2-8.8 for the same code). Each participant runs the bench's
// own jobs (bench/datafile.ts: a warm-up pass over a fifth of the records with every codec, then
// the measured pass) in its own container, as the bench starts them; the CPU time of each job is
// read from the container's cpuacct cgroup each time the worker prints a job's result line, so it
// counts every thread of the process (the JVM's compilers and collector too) and no waiting.
//
//   node impls/avro-datafile/profile/cpu-vs-java.ts --java-image avro-thrift-conformance/java-avro:TAG \
//     --node-image avro-thrift-conformance/bench-node:TAG [--rounds 3] [--repeat 467] [--old DIR] [--java-strings]
//
// --old DIR: also runs the checkout in DIR (a copy of the repository at another commit, with its
// node_modules) as "old", for before/after in the same rounds. Participants take turns in an order
// rotated each round; the table gives the median over rounds and each round's ours / Java.
//
// --java-strings: also runs Java as "java-strings", writing and reading files whose schema marks
// every string "avro.java.string": "String". Java's GenericDatumReader then decodes each string
// into a java.lang.String, as ours must make a JavaScript string, instead of keeping its UTF-8
// bytes in a Utf8 object (its default, which the bench's Java rows use): the part of the read
// rows' gap that is this difference in what the two APIs return.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EVENT_SCHEMA, eventRecordsInNotation } from '../../../bench/datafile-records.ts';

const { values: options } = parseArgs({
  options: {
    'java-image': { type: 'string' }, 'node-image': { type: 'string' }, rounds: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '467' }, old: { type: 'string' }, 'java-strings': { type: 'boolean', default: false },
  },
});
const javaImage = options['java-image'];
const nodeImage = options['node-image'];
if (!javaImage || !nodeImage) throw new Error('usage: cpu-vs-java.ts --java-image TAG --node-image TAG [--rounds N] [--repeat N] [--old DIR] [--java-strings]');
const rounds = Number(options.rounds);
const repeat = Number(options.repeat);
const CODECS = ['null', 'deflate', 'snappy', 'zstandard'];
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const checkouts = new Map<string, string>([['new', REPO], ...(options.old ? [['old', resolve(options.old)] as [string, string]] : [])]);

interface Job { op: 'write' | 'read'; codec?: string; [key: string]: unknown }
interface Measured { key: string; recordsPerCpuSecond: number }

const root = mkdtempSync(join(tmpdir(), 'dfcpu-'));

/** The container's CPU seconds so far (cgroup v1 cpuacct, or v2 cpu.stat). */
function cpuSeconds(id: string): number {
  const v1 = `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`;
  if (existsSync(v1)) return Number(readFileSync(v1, 'utf8')) / 1e9;
  const v2 = `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`;
  const usage = /usage_usec (\d+)/.exec(readFileSync(v2, 'utf8'));
  return Number(usage?.[1]) / 1e6;
}

/** The bench's schema with every string marked for java.lang.String values (Java only reads the mark). */
function withJavaStrings(type: unknown): unknown {
  if (type === 'string') return { type: 'string', 'avro.java.string': 'String' };
  if (Array.isArray(type)) return type.map(withJavaStrings);
  if (type === null || typeof type !== 'object') return type;
  const node = type as Record<string, unknown>;
  if (node.type === 'record') return { ...node, fields: (node.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: withJavaStrings(f.type) })) };
  if (node.type === 'array') return { ...node, items: withJavaStrings(node.items) };
  if (node.type === 'map') return { ...node, values: withJavaStrings(node.values) };
  return node;
}

function jobsFor(who: string): Job[] {
  const schema = join(root, who === 'java-strings' ? 'schema-java-strings.avsc' : 'schema.avsc');
  const pass = (label: string, times: number): Job[] => [
    ...CODECS.map((codec): Job => ({ op: 'write', schema, codec, records: join(root, 'records.json'), out: join(root, `${who}${label}-${codec}.avro`), repeat: times })),
    ...CODECS.map((codec): Job => ({ op: 'read', codec, in: join(root, `${who}${label}-${codec}.avro`), out: join(root, `${who}${label}-read-${codec}.jsonl`), discard: true })),
  ];
  return [...pass('-warmup', Math.max(1, Math.round(repeat / 5))), ...pass('', repeat)];
}

async function run(who: string): Promise<Measured[]> {
  const jobs = jobsFor(who);
  const jobsPath = join(root, `${who}.json`);
  writeFileSync(jobsPath, JSON.stringify(jobs));
  const cidFile = join(root, `${who}.cid`);
  rmSync(cidFile, { force: true });
  const base = ['run', '--rm', '--network', 'none', '--cidfile', cidFile, '--volume', `${root}:${root}`, '--label', 'org.avro-thrift-conformance.suite=true'];
  let args: string[];
  if (who === 'java' || who === 'java-strings') {
    // The JVM as the bench starts it: the image's entrypoint without its start-up-only options.
    const inspected = await output('docker', ['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', javaImage as string]);
    const entry = (JSON.parse(inspected) as string[]).filter((a) => !/^-XX:TieredStopAtLevel=|^-XX:\+UseSerialGC$/.test(a));
    args = [...base, '--entrypoint', entry[0] as string, javaImage as string, ...entry.slice(1), 'datafile', 'batch', '--jobs', jobsPath];
  } else {
    const checkout = checkouts.get(who) as string;
    const worker = join(root, `worker-${who}.ts`);
    writeFileSync(worker, [
      "import { readFileSync } from 'node:fs';",
      `import { runOurJobs } from ${JSON.stringify(join(checkout, 'suites/datafile/ours.ts'))};`,
      "const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));",
      "for (const job of jobs) { const [result] = runOurJobs([job]).results; process.stdout.write(JSON.stringify({ job, ...result }) + '\\n'); }",
    ].join('\n'));
    const modules = realpathSync(join(checkout, 'node_modules'));
    args = [...base, '--volume', `${checkout}:${checkout}:ro`, '--volume', `${modules}:${modules}:ro`, nodeImage as string, worker, jobsPath];
  }
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const marks: number[] = [];
  const results: { records: number; ok: boolean; error: string | null }[] = [];
  let id = '';
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      if (!id) id = readFileSync(cidFile, 'utf8').trim();
      marks.push(cpuSeconds(id));
      results.push(JSON.parse(line) as { records: number; ok: boolean; error: string | null });
    }
  });
  await new Promise((done) => child.on('close', done));
  if (results.length !== jobs.length || results.some((r) => !r.ok)) {
    throw new Error(`${who}: ${results.length} results of ${jobs.length} (${results.find((r) => !r.ok)?.error ?? ''}) ${stderr.slice(-2000)}`);
  }
  // The measured pass: each job's CPU is the difference from the previous result line.
  const first = 2 * CODECS.length;
  const measured: Measured[] = [];
  for (let k = first; k < jobs.length; k++) {
    const job = jobs[k] as Job;
    measured.push({ key: `${job.codec}/${job.op}`, recordsPerCpuSecond: (results[k]?.records ?? 0) / ((marks[k] as number) - (marks[k - 1] as number)) });
  }
  return measured;
}

function output(command: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    child.on('close', (code) => (code === 0 ? done(text) : fail(new Error(`${command} exited ${code}`))));
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rate = (n: number): string => Math.round(n).toLocaleString('en-US');

try {
  writeFileSync(join(root, 'schema.avsc'), JSON.stringify(EVENT_SCHEMA));
  writeFileSync(join(root, 'schema-java-strings.avsc'), JSON.stringify(withJavaStrings(EVENT_SCHEMA)));
  writeFileSync(join(root, 'records.json'), JSON.stringify(eventRecordsInNotation()));
  const participants = ['java', ...(options['java-strings'] ? ['java-strings'] : []), ...checkouts.keys()];
  const rates = new Map<string, Map<string, number[]>>();
  for (let round = 0; round < rounds; round++) {
    const order = [...participants.slice(round % participants.length), ...participants.slice(0, round % participants.length)];
    for (const who of order) {
      for (const { key, recordsPerCpuSecond } of await run(who)) {
        const byKey = rates.get(who) ?? new Map<string, number[]>();
        byKey.set(key, [...(byKey.get(key) ?? []), recordsPerCpuSecond]);
        rates.set(who, byKey);
      }
      process.stderr.write(`round ${round + 1}/${rounds}: ${who} done\n`);
    }
  }
  const ours = participants.slice(1);
  const label = (who: string): string => (who.startsWith('java') ? who : `ours ${who}`);
  console.log(`| codec | op | java records/cpu-s | ${ours.map(label).join(' | ')} | ${ours.map((o) => `${o} / java median (rounds)`).join(' | ')} |`);
  console.log(`|---|---|---|${ours.map(() => '---|').join('')}${ours.map(() => '---|').join('')}`);
  for (const codec of CODECS) {
    for (const op of ['write', 'read']) {
      const key = `${codec}/${op}`;
      const java = rates.get('java')?.get(key) ?? [];
      const cells = ours.map((o) => rate(median(rates.get(o)?.get(key) ?? [])));
      const ratios = ours.map((o) => {
        const perRound = (rates.get(o)?.get(key) ?? []).map((v, i) => v / (java[i] as number));
        return `${median(perRound).toFixed(2)} (${perRound.map((r) => r.toFixed(2)).join(', ')})`;
      });
      console.log(`| ${codec} | ${op} | ${rate(median(java))} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
