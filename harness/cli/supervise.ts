// Runs vitest as a child process and survives what may happen to it: Ctrl-C, SIGTERM (a CI job
// being cancelled), a crash of the runner. Whatever happens, this run's containers are removed,
// and when the run did not finish by itself the reports are written from the journal the results
// reporter kept while cases finished, saying that the run was interrupted (or crashed) and what
// had finished. The child gets its own process group so that one signal reaches vitest, its
// workers and the docker commands they run, and this process stays to clean up.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeRunContainersSync } from '../docker/containers.ts';
import { REPO_ROOT } from '../docker/peers.ts';
import { assembleRun, readJournal, removeJournal } from '../results/assemble.ts';
import { readResults, reportsDir, resultsFile, writeResults } from '../results/files.ts';
import { renderAll } from '../reports/render.ts';
import { keepShardWall } from '../results/timings.ts';
import { removeRunDir, runDirFor } from '../run/run-dir.ts';

export const VITEST_ENTRY = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/**
 * Node's on-disk compile cache (V8 code cache, and for .ts files the type-stripped source) for
 * vitest, its workers and their worker threads, which inherit it from the environment. The
 * adapters of avsc and npm thrift start a worker thread per connection or per server, each
 * loading its modules again: an avsc client thread cost 210 ms of CPU to start without the cache
 * and 105 ms with it (20 starts, process.cpuUsage). Node checks every entry against the source it
 * caches, so a stale entry is never used; NODE_COMPILE_CACHE set by the caller wins, and
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
export const COMPILE_CACHE_DIR = join(tmpdir(), 'avro-thrift-conformance-compile-cache');

/** Seconds the run may take to stop after a signal before its processes are killed. */
const STOP_GRACE_SECONDS = 10;

export interface SupervisedRun {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly runId: string;
  /** Whether this run writes results.json (not a shard's blob run). */
  readonly writesResults: boolean;
  /** A shard's run: where its phase timings are kept for the merge, to add its wall clock to (timings.ts). */
  readonly keepTimings?: { readonly path: string; readonly shard: string };
}

function say(line: string): void {
  process.stderr.write(`conformance: ${line}\n`);
}

export async function superviseVitest(run: SupervisedRun): Promise<number> {
  const startedAt = new Date();
  const child = spawn(process.execPath, [VITEST_ENTRY, ...run.args], {
    cwd: REPO_ROOT, stdio: 'inherit', detached: true,
    env: { NODE_COMPILE_CACHE: COMPILE_CACHE_DIR, ...process.env, ...run.env, CONFORMANCE_RUN_ID: run.runId },
  });
  let signalled: NodeJS.Signals | undefined;
  const group = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      say(`${signal} again: killing the run now`);
      group('SIGKILL');
      return;
    }
    signalled = signal;
    say(`${signal}: stopping the run (again to kill it at once); the reports will say it was interrupted`);
    group('SIGTERM');
    setTimeout(() => group('SIGKILL'), STOP_GRACE_SECONDS * 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  // Workers may still be finishing a docker command: give the group a moment, then sweep.
  group('SIGKILL');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const removed = removeRunContainersSync(run.runId);
  if (removed > 0) say(`removed ${removed} container(s) of this run`);
  try {
    if (!run.writesResults) return signalled ? 130 : exit.code ?? 1;
    // The reporter finished (a signal, if any, came after it): its results stand.
    if (resultsOfRun(run.runId)) return signalled ? 130 : exit.code ?? 1;
    return await finishFromJournal(run, startedAt, signalled, exit);
  } finally {
    // The phases are there already (the global setup's teardown copied them).
    if (run.keepTimings) keepShardWall(run.keepTimings.path, { shard: run.keepTimings.shard, wallMs: Date.now() - startedAt.getTime() });
    if (process.env['CONFORMANCE_KEEP'] !== '1') removeRunDir(runDirFor(run.runId));
  }
}

async function finishFromJournal(run: SupervisedRun, startedAt: Date, signalled: NodeJS.Signals | undefined,
  exit: { code: number | null; signal: NodeJS.Signals | null }): Promise<number> {
  // The run did not write its results: interrupted (a signal) or crashed (the runner died).
  const state = signalled ? 'interrupted' : 'crashed';
  const results = readJournal(run.runId);
  const why = signalled
    ? `interrupted by ${signalled}`
    : `the test runner ended without writing its results (exit code ${exit.code ?? 'none'}${exit.signal ? `, signal ${exit.signal}` : ''}): it crashed`;
  const assembled = await assembleRun({
    runId: run.runId, startedAt, results, unhandledErrors: [why], state, narrowed: false, runDir: runDirFor(run.runId),
  });
  writeResults(assembled);
  removeJournal(run.runId);
  try {
    await renderAll(reportsDir());
  } catch (error) {
    say(`rendering the reports of the ${state} run failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  say(`${why}: ${results.length} case result(s) had finished; reports/ says so`);
  return signalled ? 130 : 1;
}

/** The results.json of this run, if the reporter wrote one. */
function resultsOfRun(runId: string): boolean {
  if (!existsSync(resultsFile())) return false;
  try {
    return readResults().run.runId === runId;
  } catch {
    return false;
  }
}
