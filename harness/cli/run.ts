// `conformance run` and `conformance test`: hand the filters and options to the test run through
// the environment and run vitest under the supervisor (supervise.ts). run: the conformance project
// with the results and progress reporters; test: every project with vitest's default reporter
// beside the results reporter (vitest.config.ts). --shard I/N runs one part and leaves a blob report
// for `report --merge`.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENV } from '../results/run-options.ts';
import { IMPLEMENTATIONS_ENV } from '../contract/load.ts';
import { reportsDir } from '../results/files.ts';
import { BASELINE_ENV } from '../reports/history.ts';
import type { CliOptions } from './args.ts';
import type { VersionedImplementation } from '../results/model.ts';
import { SUITE_FOLDERS } from '../matrix/families.ts';
import { superviseVitest } from './supervise.ts';
import { scratchDirectory } from '../run/scratch.ts';
import { SHARD_TIMINGS_ENV, SHARD_TIMINGS_SUFFIX } from '../results/timings.ts';

/** Environment for the run; vitest.config.ts reads CONFORMANCE_JOBS and CONFORMANCE_RETRIES. */
export function runEnvironment(
  options: CliOptions, implementations: readonly string[], described: readonly VersionedImplementation[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  if (Object.keys(options.filter).length > 0) env[ENV.filter] = JSON.stringify(options.filter);
  if (options.caseGlob) env[ENV.caseGlob] = options.caseGlob;
  if (options.caseTimeoutSeconds !== undefined) env[ENV.caseTimeoutMs] = String(Math.round(options.caseTimeoutSeconds * 1000));
  if (options.cellTimeoutSeconds !== undefined) env[ENV.cellTimeoutSeconds] = String(options.cellTimeoutSeconds);
  if (options.trace) env[ENV.trace] = '1';
  if (options.injectFault) env[ENV.injectFault] = options.injectFault;
  if (options.keep) env[ENV.keep] = '1';
  if (options.versions) env[ENV.versions] = options.versions;
  if (implementations.length > 0) env[IMPLEMENTATIONS_ENV] = JSON.stringify(implementations);
  if (described.length > 0) env[ENV.implementationsOfRun] = JSON.stringify(described);
  if (options.jobs !== undefined) env['CONFORMANCE_JOBS'] = String(options.jobs);
  if (options.retries !== undefined) env['CONFORMANCE_RETRIES'] = String(options.retries);
  if (options.shard) env['CONFORMANCE_SHARD'] = `${options.shard.index}/${options.shard.count}`;
  // The results reporter renders the reports; renderAll reads the baseline from here.
  if (options.baseline) env[BASELINE_ENV] = resolve(options.baseline);
  return env;
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

export const BLOB_DIR = (): string => join(reportsDir(), 'blob');

export async function runVitest(
  options: CliOptions, implementations: readonly string[], described: readonly VersionedImplementation[],
): Promise<number> {
  const env = runEnvironment(options, implementations, described);
  // Cleared first so that nothing left in the caller's shell narrows the run silently.
  for (const name of [...Object.values(ENV), 'CONFORMANCE_JOBS', 'CONFORMANCE_RETRIES', 'CONFORMANCE_SHARD', SHARD_TIMINGS_ENV, BASELINE_ENV]) delete process.env[name];
  // The options as they reach vitest, to rerun it by hand; the description of the implementations
  // (their library versions, for the reports) is named rather than printed whole.
  for (const [name, value] of Object.entries(env)) {
    if (name !== ENV.implementationsOfRun) process.stdout.write(`conformance: ${name}=${value}\n`);
  }
  if (described.length > 0) process.stdout.write(`conformance: under test: ${described.map((d) => `${d.family}/${d.id}`).join(', ')}\n`);
  const args = ['run'];
  if (options.command === 'run') args.push('--project', 'conformance', '--reporter', './harness/cli/progress-reporter.ts');
  if (options.shard) {
    // One part of the run: a blob report for `report --merge`, which alone judges the whole run,
    // and beside it the run's options, so that the merge knows what the whole run selected.
    const blob = join(BLOB_DIR(), `shard-${options.shard.index}-of-${options.shard.count}.json`);
    mkdirSync(BLOB_DIR(), { recursive: true });
    const { CONFORMANCE_SHARD: _shard, CONFORMANCE_JOBS: _jobs, ...selection } = env;
    writeFileSync(blob.replace(/\.json$/, '.run.json'), `${JSON.stringify(selection, null, 1)}\n`);
    args.push(`--shard=${options.shard.index}/${options.shard.count}`, '--reporter=blob', `--outputFile.blob=${blob}`);
  } else if (options.command === 'run') {
    args.push('--reporter', './harness/results/reporter.ts');
  }
  if (options.command === 'test') args.push(...options.files);
  // A run of one family starts only that family's suite files: every other file would start a
  // worker, load and plan its whole family, and find no cell (2 s of CPU each, 20 files).
  if (options.command === 'run' && options.filter.family) args.push(SUITE_FOLDERS[options.filter.family]);
  const keepTimings = options.shard ? {
    path: join(BLOB_DIR(), `shard-${options.shard.index}-of-${options.shard.count}${SHARD_TIMINGS_SUFFIX}`),
    shard: `${options.shard.index}/${options.shard.count}`,
  } : undefined;
  return superviseVitest({
    args, env: keepTimings ? { ...env, [SHARD_TIMINGS_ENV]: keepTimings.path } : env,
    runId: newRunId(), writesResults: !options.shard, ...(keepTimings ? { keepTimings } : {}),
  });
}

/**
 * The options every shard of a blob folder ran with (their .run.json files), which must agree:
 * merging shards of different runs would judge a run that never happened.
 */
export function shardSelection(folder: string): Record<string, string> {
  const files = readdirSync(folder).filter((f) => f.endsWith('.run.json')).sort();
  if (files.length === 0) throw new Error(`${folder} has no shard options (*.run.json): was it written by \`conformance run --shard\`?`);
  const missing = missingShards(readdirSync(folder));
  if (missing.length > 0) throw new Error(`${folder} lacks ${missing.join(', ')}: a merge of some shards would judge a run that left cases out`);
  const selections = files.map((f) => readFileSync(join(folder, f), 'utf8'));
  if (new Set(selections).size > 1) throw new Error(`the shards in ${folder} ran with different options: ${files.join(', ')}`);
  return JSON.parse(selections[0] ?? '{}') as Record<string, string>;
}

/**
 * What a blob folder lacks to be a whole run: every shard i of n needs its blob report and its
 * options file, and every shard must have been one of the same n. A shard job that died before
 * writing its blob would otherwise leave a merge that judges the other shards alone, and passes.
 */
export function missingShards(files: readonly string[]): string[] {
  const named = files.map((f) => /^shard-(\d+)-of-(\d+)(\.run)?\.json$/.exec(f)).filter((m): m is RegExpExecArray => m !== null);
  const counts = new Set(named.map((m) => Number(m[2])));
  if (counts.size > 1) return [`shards of one count (found shards of ${[...counts].sort((a, b) => a - b).join(' and ')})`];
  const count = [...counts][0] ?? 0;
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) {
    for (const suffix of ['.json', '.run.json']) {
      const name = `shard-${i}-of-${count}${suffix}`;
      if (!files.includes(name)) missing.push(name);
    }
  }
  return missing;
}

/**
 * A folder holding only the blob reports of a shard folder (links to them): vitest's merge reads
 * every file of the folder it is given as a blob, and the shards' .run.json files are not.
 */
export function blobsOnly(folder: string): string {
  const only = scratchDirectory('conformance-blobs-');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.json') && !f.endsWith('.run.json'))) {
    symlinkSync(resolve(folder, file), join(only, file));
  }
  return only;
}
