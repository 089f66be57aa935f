// Avro data-file throughput, the part of the bench that replaced suites/datafile/bench.ts: our
// writer and reader beside Java's (and Python's with --datafile-python), on the same records, in
// rounds where the participants take turns in a rotated order. Each participant runs one batch per
// round in a fresh process, each in a container started the same way (ours: node
// bench/datafile-worker.ts in the bench's Node image, or on the host with --host-agents; peers:
// their `datafile batch` role): it writes a file per codec, then reads each back, decoding every record without
// rendering it. Times are what each participant measured around its library calls (process and
// JVM start excluded); the ratio is ours / theirs in records per second, per round. Each
// participant also reports the CPU time its process spent on each job (every thread), so the cpu
// ratio is ours / theirs in records per CPU-second, per round: on a shared machine the wall-clock
// ratio moves with what else runs, the CPU ratio hardly at all (impls/avro-datafile/profile/README.md).
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { LABEL_OWNER_PID, LABEL_RUN, LABEL_SUITE } from '../harness/docker/containers.ts';
import { ensurePeerImage } from '../harness/docker/images.ts';
import { REPO_ROOT } from '../harness/docker/peers.ts';
import { parseJobResults, type Job, type JobResult } from '../suites/datafile/jobs.ts';
import { runOurJobs } from '../suites/datafile/ours.ts';
import { participantRelease } from '../suites/datafile/plan.ts';
import { benchEntrypoint } from './agents.ts';
import { EVENT_SCHEMA, eventRecordsInNotation } from './datafile-records.ts';
import { repoMounts } from './docker-run.ts';
import { roundRatios, rotate, summarize, type Summary } from './stats.ts';

export interface DatafileRow {
  readonly codec: string;
  readonly op: 'write' | 'read';
  readonly peer: string;
  /** Records per second over the rounds. */
  readonly ours?: Summary;
  readonly theirs?: Summary;
  /** Per round: ours / theirs. */
  readonly ratio?: Summary;
  /** Records per CPU-second of the participant's process over the rounds, where it reported its CPU time. */
  readonly oursPerCpuSecond?: Summary;
  readonly theirsPerCpuSecond?: Summary;
  /** Per round: ours / theirs in records per CPU-second. */
  readonly cpuRatio?: Summary;
  readonly error?: string;
}

/** What the rounds measured: participant -> codec/op -> round -> that job's result. */
export type DatafileSamples = Map<string, Map<string, Map<number, JobResult>>>;

/**
 * Files one batch's results under `samples` (a failed job's error under `errors`). The batch is the warm-up pass (`warmupCount` jobs, left out), then a write per codec, then a
 * read per codec, in the order of `codecs`.
 */
export function recordBatch(samples: DatafileSamples, errors: Map<string, string>, who: string, round: number,
  results: readonly JobResult[], codecs: readonly string[], warmupCount: number): void {
  results.slice(warmupCount).forEach((result, index) => {
    const codec = codecs[index % codecs.length] as string;
    const op = index < codecs.length ? 'write' : 'read';
    const key = `${codec}/${op}`;
    if (!result.ok) {
      errors.set(`${who}/${key}`, result.error ?? 'failed');
      return;
    }
    const byKey = samples.get(who) ?? new Map<string, Map<number, JobResult>>();
    const byRound = byKey.get(key) ?? new Map<number, JobResult>();
    byRound.set(round, result);
    byKey.set(key, byRound);
    samples.set(who, byKey);
  });
}

/** round -> records per second, and round -> records per CPU-second over the rounds with a CPU time above zero. */
function ratesOf(byRound: ReadonlyMap<number, JobResult> | undefined): { wall: Map<number, number>; cpu: Map<number, number> } {
  const wall = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const [round, result] of byRound ?? []) {
    if (result.seconds > 0) wall.set(round, result.records / result.seconds);
    if (result.cpuSeconds !== undefined && result.cpuSeconds > 0) cpu.set(round, result.records / result.cpuSeconds);
  }
  return { wall, cpu };
}

/** One row per peer, codec and operation: ours against that peer, round by round. */
export function datafileRows(samples: DatafileSamples, errors: ReadonlyMap<string, string>, peers: readonly string[], codecs: readonly string[]): DatafileRow[] {
  const rows: DatafileRow[] = [];
  for (const peer of peers) {
    for (const codec of codecs) {
      for (const op of ['write', 'read'] as const) {
        const key = `${codec}/${op}`;
        const ours = ratesOf(samples.get(OURS)?.get(key));
        const theirs = ratesOf(samples.get(peer)?.get(key));
        const error = errors.get(`${OURS}/${key}`) ?? errors.get(`${peer}/${key}`);
        const o = summarize([...ours.wall.values()]);
        const t = summarize([...theirs.wall.values()]);
        const ratio = summarize(roundRatios(ours.wall, theirs.wall));
        const oCpu = summarize([...ours.cpu.values()]);
        const tCpu = summarize([...theirs.cpu.values()]);
        const cpuRatio = summarize(roundRatios(ours.cpu, theirs.cpu));
        rows.push({
          codec, op, peer, ...(o ? { ours: o } : {}), ...(t ? { theirs: t } : {}), ...(ratio ? { ratio } : {}),
          ...(oCpu ? { oursPerCpuSecond: oCpu } : {}), ...(tCpu ? { theirsPerCpuSecond: tCpu } : {}), ...(cpuRatio ? { cpuRatio } : {}),
          ...(error ? { error } : {}),
        });
      }
    }
  }
  return rows;
}

export interface DatafileResult {
  readonly records: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly note: string;
  readonly rows: readonly DatafileRow[];
  /** Set when more rounds were run (settle.ts): why; `rounds` counts them all. */
  readonly settled?: string;
}

export interface DatafileOptions {
  readonly rounds: number;
  readonly out: string;
  readonly runId: string;
  readonly progress: (line: string) => void;
  /**
   * Uncompressed size of each file, MB (default 60; BENCH_DATAFILE_MB): Java reports CPU time in
   * 10 ms ticks, and its reads of 20 MB took 70-150 ms of CPU, a tick 7-14% of a round.
   */
  readonly megabytes?: number;
  readonly codecs?: readonly string[];
  readonly peers?: readonly string[];
  /** The bench's Node image (node-image.ts) our worker runs in; undefined: a host process (--host-agents). */
  readonly nodeImage?: string;
  /** More rounds: how many, and why they are needed given the rows so far (undefined: none). */
  readonly settle?: { readonly rounds: number; why(rows: readonly DatafileRow[]): string | undefined };
}

const OURS = 'ours';

/** One batch's container: no network, the work directory mounted read-write (and the repository read-only for our worker). */
function batchRunArgs(root: string, runId: string, readOnly: readonly string[], entrypoint: readonly string[], image: string, args: readonly string[]): string[] {
  const [program, ...rest] = entrypoint;
  return [
    'run', '--rm', '--network', 'none', '--volume', `${root}:${root}`, ...readOnly.flatMap((path) => ['--volume', `${path}:${path}:ro`]),
    '--label', `${LABEL_SUITE}=true`, '--label', `${LABEL_RUN}=${runId}`, '--label', `${LABEL_OWNER_PID}=${process.pid}`,
    ...(program ? ['--entrypoint', program] : []), image, ...rest, ...args,
  ];
}

async function runBatch(who: string, image: string | undefined, jobs: readonly Job[], root: string, runId: string, name: string): Promise<JobResult[]> {
  const path = join(root, `${who}-${name}.json`);
  writeFileSync(path, JSON.stringify(jobs));
  const worker = [join(REPO_ROOT, 'bench', 'datafile-worker.ts'), path];
  const run = who === OURS && image === undefined
    ? await execa(process.execPath, worker, { reject: false, timeout: 1_800_000 })
    : who === OURS
      ? await execa('docker', batchRunArgs(root, runId, repoMounts(REPO_ROOT), [], image as string, worker), { reject: false, timeout: 1_800_000 })
      : await execa('docker', batchRunArgs(root, runId, [], await benchEntrypoint(image as string), image as string, ['datafile', 'batch', '--jobs', path]),
        { reject: false, timeout: 1_800_000 });
  return parseJobResults(String(run.stdout), jobs.length, `exit ${run.exitCode}: ${String(run.stderr).slice(-2000)}`);
}

export async function runDatafileBench(options: DatafileOptions): Promise<DatafileResult> {
  const started = Date.now();
  const megabytes = options.megabytes ?? Number(process.env['BENCH_DATAFILE_MB'] ?? 60);
  const codecs = options.codecs ?? (process.env['BENCH_DATAFILE_CODECS'] ?? 'null,deflate,snappy,zstandard').split(',');
  const peers = options.peers ?? (process.env['BENCH_DATAFILE_PEERS'] ?? 'java').split(',').filter(Boolean);
  // Under reports/ on the host: the peers' containers mount it at the same path.
  const root = resolve(options.out, 'work', 'bench', 'datafile', options.runId);
  mkdirSync(root, { recursive: true });
  try {
    const schemaPath = join(root, 'schema.avsc');
    const recordsPath = join(root, 'records.json');
    writeFileSync(schemaPath, JSON.stringify(EVENT_SCHEMA));
    writeFileSync(recordsPath, JSON.stringify(eventRecordsInNotation()));
    // Size of one repetition of the 1000 records, measured with our null-codec writer.
    const probe = runOurJobs([{ op: 'write', schema: schemaPath, codec: 'null', records: recordsPath, out: join(root, 'probe.avro') }]).results[0];
    if (!probe?.ok) throw new Error(`bench records do not fit the schema: ${probe?.error ?? ''}`);
    const repeat = Math.max(1, Math.round((megabytes * 1e6) / statSync(join(root, 'probe.avro')).size));
    const images = new Map<string, string>();
    for (const peer of peers) images.set(peer, (await ensurePeerImage(participantRelease(peer), options.progress)).tag);
    if (options.nodeImage) images.set(OURS, options.nodeImage);
    const file = (who: string, codec: string): string => join(root, `${who}-${codec}.avro`);
    const pass = (who: string, label: string, times: number): Job[] => [
      ...codecs.map((codec): Job => ({ op: 'write', schema: schemaPath, codec, records: recordsPath, out: file(`${who}${label}`, codec), repeat: times })),
      ...codecs.map((codec): Job => ({ op: 'read', in: file(`${who}${label}`, codec), out: join(root, `${who}${label}-read-${codec}.jsonl`), discard: true })),
    ];
    // A fresh process is cold (the JVM interprets, then compiles; V8 too, faster): an unmeasured
    // pass over a fifth of the records first, every codec, so that the first codec measured is not
    // also the one that pays for the warm-up.
    const warmupJobs = (who: string): Job[] => pass(who, '-warmup', Math.max(1, Math.round(repeat / 5)));
    const jobs = (who: string): Job[] => [...warmupJobs(who), ...pass(who, '', repeat)];
    const warmupCount = 2 * codecs.length;
    const samples: DatafileSamples = new Map();
    const errors = new Map<string, string>();
    const participants = [OURS, ...peers];
    const runRounds = async (from: number, to: number): Promise<void> => {
      for (let round = from; round < to; round++) {
        for (const who of rotate(participants, round)) {
          options.progress(`bench: data files, round ${round + 1}/${to}: ${who} (${codecs.length} codecs, ${(repeat * 1000).toLocaleString('en-US')} records)`);
          recordBatch(samples, errors, who, round, await runBatch(who, images.get(who), jobs(who), root, options.runId, `round${round}`), codecs, warmupCount);
        }
      }
    };
    await runRounds(0, options.rounds);
    let rows = datafileRows(samples, errors, peers, codecs);
    const settled = options.settle?.why(rows);
    let rounds = options.rounds;
    if (settled !== undefined && options.settle) {
      options.progress(`bench: data files near another verdict (${settled}): ${options.settle.rounds} more rounds`);
      await runRounds(rounds, rounds + options.settle.rounds);
      rounds += options.settle.rounds;
      rows = datafileRows(samples, errors, peers, codecs);
    }
    return {
      records: repeat * 1000, rounds, seconds: Math.round((Date.now() - started) / 1000), rows, ...(settled !== undefined ? { settled } : {}),
      note: `Each participant writes ${(repeat * 1000).toLocaleString('en-US')} records (~${megabytes} MB uncompressed) per codec and reads its own file back, in a fresh process per round after an unmeasured pass over a fifth of the records with every codec (warm-up); ours ${options.nodeImage ? `in a container of ${options.nodeImage}` : 'as a host process (--host-agents)'}; peers: ${peers.join(', ')} (${peers.map((p) => images.get(p)).join(', ')}), JVM with its default compilers and collector. Cpu ratio: records per CPU-second, ours / theirs per round, the CPU time being what each participant's process reports for the job, every thread (ours process.cpuUsage(); Java OperatingSystemMXBean.getProcessCpuTime(), in 10 ms ticks on Linux; Python time.process_time()). Python is left out by default (pure-Python avro is orders of magnitude slower; BENCH_DATAFILE_PEERS=java,python adds it).`,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
