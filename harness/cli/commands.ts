// The CLI's commands that start containers, vitest or renderers (run, test, report, images). Kept
// apart from main.ts and loaded only by those commands: their modules (testcontainers, dockerode,
// the TLS and JUnit libraries) cost ~0.7 s of CPU to load, which --help, list and a refused option
// would otherwise pay (1.3 s for --help before, measured).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { BASELINE_ENV } from '../reports/history.ts';
import { renderAll } from '../reports/render.ts';
import { readResults, reportsDir, resultsFile } from '../results/files.ts';
import { IMPLEMENTATIONS_ENV, loadImplementations } from '../contract/load.ts';
import type { CliOptions } from './args.ts';
import { reproduceCommands } from './reproduce.ts';
import { blobsOnly, newRunId, runVitest, shardSelection } from './run.ts';
import { superviseVitest } from './supervise.ts';
import { write } from './output.ts';
import { RUN_DIR_ENV, runDirFor } from '../run/run-dir.ts';
import { gatherShardTimings } from '../results/timings.ts';
import type { VersionedImplementation } from '../results/model.ts';
import { describeImplementations } from '../results/references.ts';
import { ENV } from '../results/run-options.ts';
import { loadPeers, REPO_ROOT, selectReleases } from '../docker/peers.ts';
import { buildImages } from '../docker/build-all.ts';
import { mayTakePart } from '../vitest/global-setup.ts';

export async function report(options: CliOptions): Promise<number> {
  if (options.merge) {
    // One report from the shards' blob reports: the results reporter judges the whole run, with
    // the options the shards ran with.
    let env: Record<string, string>;
    try {
      env = shardSelection(options.merge);
    } catch (error) {
      await write(process.stderr, `conformance: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
    // Shards written before the CLI described the implementations: described here, from the
    // shards' selection, for the same reason (run-options.ts, ENV.implementationsOfRun).
    if (!env[ENV.implementationsOfRun]) {
      const selection = env[IMPLEMENTATIONS_ENV] ? (JSON.parse(env[IMPLEMENTATIONS_ENV]) as string[]) : undefined;
      env = { ...env, [ENV.implementationsOfRun]: JSON.stringify(describeImplementations(await loadImplementations(selection))) };
    }
    // The shards' phase timings and wall clocks go into this run's directory (no global setup
    // makes one when vitest merges), so the merged results.json says where the shards' time went.
    const runId = newRunId();
    const dir = runDirFor(runId);
    mkdirSync(dir, { recursive: true });
    gatherShardTimings(options.merge, dir);
    return superviseVitest({
      args: ['run', `--merge-reports=${blobsOnly(options.merge)}`, '--reporter', './harness/results/reporter.ts'],
      env: { ...env, [RUN_DIR_ENV]: dir, ...(options.baseline ? { [BASELINE_ENV]: resolve(options.baseline) } : {}) }, runId, writesResults: true,
    });
  }
  const file = resultsFile();
  if (!existsSync(file)) {
    await write(process.stderr, `conformance: no ${file}; run \`npm run matrix\` (or conformance run) first\n`);
    return 1;
  }
  const written = await renderAll(reportsDir(), options.baseline ? { baseline: options.baseline } : {});
  await write(process.stdout, `rendered from ${file}:\n${written.map((w) => `  reports/${w}`).join('\n')}\n`);
  const run = readResults(file);
  for (const problem of run.gate.problems) await write(process.stdout, `  ${problem}\n`);
  await write(process.stdout, `gate: ${run.gate.ok ? 'passed' : `FAILED (${run.gate.problems.length} problem(s))`}\n`);
  return run.gate.ok ? 0 : 1;
}

/** Builds the image of every peer release the options select (a family or peer filter, --versions). */
export async function images(options: CliOptions): Promise<number> {
  const releases = selectReleases(loadPeers(), options.versions ?? 'default').filter((r) => mayTakePart(r.peer, options.filter));
  if (releases.length === 0) {
    await write(process.stderr, 'conformance: the options select no peer release\n');
    return 1;
  }
  const built = await buildImages(releases, (line) => process.stderr.write(`conformance: ${line}\n`));
  for (const [key, tag] of Object.entries(built)) await write(process.stdout, `${key} ${tag}\n`);
  return 0;
}

/**
 * Typecheck, lint and mutation testing of the harness core before the tests: a failing step stops
 * `test` with its own output. Stryker fails below the break threshold of stryker.config.json (the
 * score the gate's own tests reach, less a margin), so tests that stop noticing a broken gate,
 * classification or filter fail the run. The three run side by side (tsc uses one core, Stryker
 * two workers, Biome a moment): one after another they took 19-20 s of a fresh-clone run. Each
 * one's output is printed whole when it ends, in this order.
 */
async function checks(): Promise<number> {
  seedMutationResults();
  const steps = ([
    ['typecheck', 'node_modules/.bin/tsc', ['-p', 'tsconfig.json', '--noEmit']],
    ['lint', 'node_modules/.bin/biome', ['check', '.']],
    ['mutation testing of the harness core', 'node_modules/.bin/stryker', ['run']],
  ] as const).map(([what, command, args]) => {
    const started = Date.now();
    const result = execa(command, [...args], { cwd: REPO_ROOT, reject: false, all: true, env: { FORCE_COLOR: process.stderr.isTTY ? '1' : '0' } });
    return { what, done: result.then((r) => ({ exitCode: r.exitCode, output: r.all, seconds: (Date.now() - started) / 1000 })) };
  });
  let failed = 0;
  for (const { what, done } of steps) {
    const { exitCode, output, seconds } = await done;
    if (output) await write(process.stdout, `${output}\n`);
    if (exitCode !== 0) {
      await write(process.stderr, `conformance: ${what} failed (exit ${exitCode}); the tests did not run\n`);
      failed ||= exitCode ?? 1;
    } else {
      await write(process.stderr, `conformance: ${what} passed in ${seconds.toFixed(1)} s\n`);
    }
  }
  return failed;
}

/**
 * Stryker runs incrementally (stryker.config.json): it reuses the committed results of
 * harness/mutation/incremental.json for mutants whose code and covering tests are unchanged, and
 * reruns the others. Seeded into reports/ so that a test run never rewrites a tracked file.
 */
function seedMutationResults(): void {
  const committed = join(REPO_ROOT, 'harness/mutation/incremental.json');
  const working = join(REPO_ROOT, 'reports/mutation/incremental.json');
  if (existsSync(committed) && !existsSync(working)) {
    mkdirSync(dirname(working), { recursive: true });
    copyFileSync(committed, working);
  }
}

/**
 * The tests of `test` and `run` over the selected cells: for `test` the checks first, then vitest
 * under the supervisor; for `run` the report paths (and with --keep how to reproduce failing cells).
 */
export async function runSelected(options: CliOptions, implementations: readonly string[], described: readonly VersionedImplementation[]): Promise<number> {
  if (options.command === 'test') {
    const checked = await checks();
    if (checked !== 0) return checked;
  }
  const code = await runVitest(options, implementations, described);
  if (options.command === 'run' && existsSync(resultsFile()) && !options.shard) {
    const run = readResults();
    await write(process.stdout, `reports: ${reportsDir()}/matrix.md, matrix.html, junit/, results.json\n`);
    if (options.keep) {
      const lines = reproduceCommands(run);
      await write(process.stdout, lines.length > 0 ? `\nReproduce the failing cells by hand (containers kept):\n${lines.join('\n')}\n` : '\nNo failing cell to reproduce.\n');
    }
  }
  return code;
}
