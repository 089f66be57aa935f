// Builds the one results model (model.ts) of a run from its case results: the run's description,
// who took part, stale known-failure entries, the gate verdict, the time breakdown. Used by the
// vitest reporter at the end of a run, by the supervisor for a run that was interrupted or crashed
// (from the journal the reporter kept while cases finished), and when shards are merged.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadKnownFailures } from '../matrix/known-failures.ts';
import { filterFromEnv } from '../matrix/cells.ts';
import { judge, unmatchedEntries } from './gate.ts';
import { gitRevision } from './git-revision.ts';
import { loadKnownFlaky } from './known-flaky.ts';
import { FAILING_OUTCOMES, RESULTS_SCHEMA_VERSION, type CaseResult, type RunInfo, type RunResults } from './model.ts';
import { implementationsOfRun, referencesOfRun } from './references.ts';
import { injectFaultGlob, traceWire, versionSelection } from './run-options.ts';
import { readPhases, readShardWalls } from './timings.ts';
import { reportsDir } from './files.ts';

export interface RunFacts {
  readonly runId: string;
  readonly startedAt: Date;
  readonly results: readonly CaseResult[];
  readonly unhandledErrors: readonly string[];
  readonly state: RunInfo['vitestState'];
  /** A test-name filter or a subset of the suite files narrowed the run. */
  readonly narrowed: boolean;
  readonly skipReason?: string | undefined;
  readonly knownFailuresFile?: string | undefined;
  readonly knownFlakyFile?: string | undefined;
  readonly runDir?: string | undefined;
  /** --shard: which part this was, when it is one part. */
  readonly shard?: string | undefined;
}

export async function assembleRun(facts: RunFacts): Promise<RunResults> {
  const knownFailures = loadKnownFailures(facts.knownFailuresFile);
  const knownFlaky = loadKnownFlaky(facts.knownFlakyFile);
  const unhandledErrors = [...facts.unhandledErrors];
  const filter = filterFromEnv();
  const caseGlob = process.env['CONFORMANCE_CASE'] || undefined;
  const versions = versionSelection();
  const full = Object.keys(filter).length === 0 && !caseGlob && !facts.narrowed && !facts.shard;
  // Entries only go stale for lack of a match when every case had its chance to match: not in a
  // filtered run, an interrupted one, or one where something outside the cases broke.
  const stale = full && (facts.state === 'passed' || facts.state === 'failed') && unhandledErrors.length === 0 && facts.results.length > 0
    ? unmatchedEntries(facts.results, knownFailures, knownFlaky, versions === 'all') : [];
  if (facts.state === 'interrupted' || facts.state === 'crashed') {
    unhandledErrors.push(`the run was ${facts.state === 'crashed' ? 'cut short by a crash' : 'interrupted'}: ${facts.results.length} case result(s) had been recorded; the rest did not run`);
  } else if (facts.state === 'failed' && !facts.results.some((r) => FAILING_OUTCOMES.has(r.outcome)) && unhandledErrors.length === 0) {
    // A global setup that throws (e.g. a peer image that does not build) reaches no reporter hook
    // as an error; vitest's verdict is then the only trace of it, and it must not read as a pass.
    unhandledErrors.push('vitest failed the run but no conformance case failed: a unit test, the global setup (e.g. a peer image that did not build) or a suite file that did not load; see the run log');
  }
  if (facts.results.length === 0 && !facts.skipReason) {
    unhandledErrors.push('the run recorded no conformance case at all: an empty selection is not a pass (see the filters, or the log for a setup error)');
  }
  const finishedAt = new Date();
  const git = gitRevision();
  const phases = readPhases(facts.runDir);
  const shardWalls = readShardWalls(facts.runDir).map((s) => s.wallMs);
  const run: RunInfo = {
    runId: facts.runId,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - facts.startedAt.getTime(),
    gitRevision: git.revision,
    gitDirty: git.dirty,
    node: process.version,
    ci: process.env['CI'] === 'true',
    full,
    filter,
    ...(caseGlob ? { caseGlob } : {}),
    ...(versions !== 'default' ? { versions } : {}),
    ...(traceWire() ? { trace: true } : {}),
    ...(injectFaultGlob() ? { injectFault: injectFaultGlob() } : {}),
    ...(facts.shard ? { shard: facts.shard } : {}),
    vitestState: facts.state,
    ...(facts.skipReason ? { skipReason: facts.skipReason } : {}),
    ...(facts.state === 'interrupted' || facts.state === 'crashed'
      ? { interrupted: { reason: facts.unhandledErrors[0] ?? facts.state } } : {}),
    timing: {
      ...(phases.images !== undefined ? { imageBuildsMs: phases.images } : {}),
      ...(phases['container-starts'] !== undefined ? { containerStartsMs: phases['container-starts'] } : {}),
      ...(phases['server-starts'] !== undefined ? { serverStartsMs: phases['server-starts'] } : {}),
      ...(phases['peer-client-runs'] !== undefined ? { peerClientRunsMs: phases['peer-client-runs'] } : {}),
      ...(phases.reporting !== undefined ? { reportingMs: phases.reporting } : {}),
      casesMs: facts.results.reduce((sum, r) => sum + r.durationMs, 0),
      wallMs: finishedAt.getTime() - facts.startedAt.getTime(),
      ...(shardWalls.length > 0 ? {
        longestShardWallMs: Math.max(...shardWalls),
        shardsWallMs: shardWalls.reduce((sum, ms) => sum + ms, 0),
      } : {}),
    },
  };
  return {
    schema: RESULTS_SCHEMA_VERSION,
    run,
    references: referencesOfRun(versions),
    implementations: await implementationsOfRun(),
    results: facts.results,
    staleEntries: stale,
    unhandledErrors,
    gate: judge(facts.results, stale, unhandledErrors),
  };
}

// ---- the journal: every case result as it finishes, so an interrupted run still has them ------

function journalFile(runId: string): string {
  return join(reportsDir(), '.journal', `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`);
}

export function journalCase(runId: string, result: CaseResult): void {
  const path = journalFile(runId);
  const line = `${JSON.stringify(result)}\n`;
  try {
    appendFileSync(path, line);
  } catch (error) {
    // The folder is made on the first case (or again if something removed it), not checked per case.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(join(path, '..'), { recursive: true });
    appendFileSync(path, line);
  }
}

export function readJournal(runId: string): CaseResult[] {
  const path = journalFile(runId);
  if (!existsSync(path)) return [];
  // A run killed mid-write may leave half a last line: keep every whole one.
  return readFileSync(path, 'utf8').split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as CaseResult] : [];
    } catch {
      return [];
    }
  });
}

export function removeJournal(runId: string): void {
  rmSync(journalFile(runId), { force: true });
}
