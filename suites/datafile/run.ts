// Runs the data-file matrix: every writer writes every file (one process per reference writer),
// then every reader reads every file (one process per reference reader). Returns what each job
// gave, for the tests to judge one case at a time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runClient } from '../../harness/docker/containers.ts';
import { CODECS as OUR_CODECS } from '../../impls/avro-datafile/index.ts';
import { writeBadFiles } from './bad-files.ts';
import { parseJobResults, type Job, type JobResult } from './jobs.ts';
import { runOurJobs, type OurRead } from './ours.ts';
import { CODECS, layout, OURS, PEER_FOLDERS, readJobs, stageInputs, writeJobs, type Layout } from './plan.ts';
import type { SchemaFile } from './sets.ts';

export interface ParticipantRun {
  readonly results: ReadonlyMap<string, JobResult>;   // job output path -> result
  readonly reads: ReadonlyMap<string, OurRead>;       // ours only: decoded values by output path
  /** Set when the participant could not run at all. */
  readonly failure?: string;
  readonly seconds: number;
}

export interface MatrixRun {
  readonly at: Layout;
  readonly files: readonly SchemaFile[];
  readonly writes: ReadonlyMap<string, ParticipantRun>;
  readonly readsBy: ReadonlyMap<string, ParticipantRun>;
  readonly participants: readonly string[];
}

async function runPeerJobs(participant: string, image: string, jobs: readonly Job[], at: Layout, phase: string, timeoutSeconds: number): Promise<ParticipantRun> {
  const jobsPath = join(at.root, 'jobs', `${participant}-${phase}.json`);
  mkdirSync(join(at.root, 'jobs'), { recursive: true });
  writeFileSync(jobsPath, JSON.stringify(jobs, null, 1));
  const started = performance.now();
  const run = await runClient({
    image, peer: PEER_FOLDERS[participant] ?? participant, role: 'datafile', mounts: [at.root],
    args: ['batch', '--jobs', jobsPath], timeoutSeconds,
  });
  writeFileSync(join(at.root, 'jobs', `${participant}-${phase}.log`), `exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  const why = `peer ${participant} (${phase}) exited ${run.exitCode}; stderr tail: ${run.stderr.split('\n').slice(-12).join('\n')}`;
  const parsed = parseJobResults(run.stdout, jobs.length, why);
  return {
    results: new Map(jobs.map((job, i) => [job.out, parsed[i] as JobResult])),
    reads: new Map(),
    seconds: (performance.now() - started) / 1000,
    ...(run.exitCode !== 0 ? { failure: why } : {}),
  };
}

function runOurs(jobs: readonly Job[]): ParticipantRun {
  const started = performance.now();
  const { results, reads } = runOurJobs(jobs);
  return { results: new Map(jobs.map((job, i) => [job.out, results[i] as JobResult])), reads, seconds: (performance.now() - started) / 1000 };
}

export interface MatrixOptions {
  readonly root: string;
  readonly files: readonly SchemaFile[];
  /** Participant id -> image tag, for the reference peers that take part. */
  readonly images: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

export async function runMatrix(options: MatrixOptions): Promise<MatrixRun> {
  const at = layout(options.root);
  const { files } = options;
  const participants = [OURS, ...Object.keys(options.images)];
  if (!CODECS.every((codec) => Object.hasOwn(OUR_CODECS, codec))) throw new Error(`this Node.js lacks a codec (ours: ${Object.keys(OUR_CODECS).join(', ')})`);
  stageInputs(files, at);
  for (const codec of CODECS) {
    mkdirSync(at.badDir(codec), { recursive: true });
    writeBadFiles(at.badDir(codec), codec);
  }
  // Phase 1: writes. The reference writers run in parallel with ours.
  const writes = new Map<string, ParticipantRun>();
  const peerWrites = Object.entries(options.images).map(async ([id, image]) => {
    writes.set(id, await runPeerJobs(id, image, writeJobs(id, files, at), at, 'write', options.timeoutSeconds));
  });
  writes.set(OURS, runOurs(writeJobs(OURS, files, at)));
  await Promise.all(peerWrites);
  // Phase 2: reads of everything every writer wrote, and of the bad files.
  const readsBy = new Map<string, ParticipantRun>();
  const peerReads = Object.entries(options.images).map(async ([id, image]) => {
    readsBy.set(id, await runPeerJobs(id, image, readJobs(id, participants, files, at), at, 'read', options.timeoutSeconds));
  });
  readsBy.set(OURS, runOurs(readJobs(OURS, participants, files, at)));
  await Promise.all(peerReads);
  return { at, files, writes, readsBy, participants };
}

/** The JSON lines a reference reader wrote: records in the notation, and a last {"$error"} line. */
export function peerReadLines(path: string): { lines: unknown[]; error?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { lines: [], error: `no output file ${path}` };
  }
  const lines: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const parsed = JSON.parse(line) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length === 1 && typeof (parsed as { $error?: unknown }).$error === 'string') {
      return { lines, error: (parsed as { $error: string }).$error };
    }
    lines.push(parsed);
  }
  return { lines };
}
