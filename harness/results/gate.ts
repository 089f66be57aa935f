// The known-failure gate: the run fails on an unexpected failure, a timeout, an unexpected pass
// (a stale known-failure entry), an error outside any test, and -- in a full run only -- on a
// known-failure or known-flaky entry that matched no case at all (stale as well).
import { matchesEntry, type KnownFailure } from '../matrix/known-failures.ts';
import type { KnownFlaky } from './known-flaky.ts';
import type { CaseResult, GateVerdict, StaleEntry } from './model.ts';

/**
 * Entries that matched no case. `everyRelease`: the run covered every peer release (--versions
 * all); otherwise an entry about some releases only (a `versions` range or a `version` pattern)
 * may rightly match nothing, and is not judged for lack of a match.
 */
export function unmatchedEntries(
  results: readonly CaseResult[],
  knownFailures: readonly KnownFailure[],
  knownFlaky: readonly KnownFlaky[],
  everyRelease = true,
): StaleEntry[] {
  const releaseBound = (entry: Pick<KnownFailure, 'match' | 'versions'>): boolean => entry.versions !== undefined || entry.match.version !== undefined;
  const unmatched = (file: string, entries: readonly (Pick<KnownFailure, 'id' | 'reason' | 'match' | 'versions' | 'except'>)[]): StaleEntry[] =>
    entries
      .filter((entry) => everyRelease || !releaseBound(entry))
      .filter((entry) => !results.some((r) => matchesEntry(entry, r.coordinates)))
      .map((entry) => ({ file, id: entry.id, reason: entry.reason }));
  return [...unmatched('suites/known-failures.json', knownFailures), ...unmatched('suites/known-flaky.json', knownFlaky)];
}

export function judge(results: readonly CaseResult[], stale: readonly StaleEntry[], unhandledErrors: readonly string[]): GateVerdict {
  const problems: string[] = [];
  for (const result of results) {
    const summary = result.failure?.summary ?? '';
    if (result.outcome === 'fail') problems.push(`FAIL ${result.title}: ${summary}`);
    if (result.outcome === 'timeout') problems.push(`TIMEOUT ${result.title}: ${summary}`);
    if (result.outcome === 'unexpected-pass') {
      problems.push(`UNEXPECTED PASS ${result.title}: known-failure entry "${result.knownFailure?.id}" is stale ` +
        `(its reason: ${result.knownFailure?.reason}); remove or narrow it in suites/known-failures.json`);
    }
  }
  for (const entry of stale) {
    problems.push(`STALE ENTRY "${entry.id}" in ${entry.file} matched no case in this full run (its reason: ${entry.reason}); remove it`);
  }
  for (const error of unhandledErrors) problems.push(`ERROR outside any test: ${error.split('\n')[0]}`);
  return { ok: problems.length === 0, problems };
}
