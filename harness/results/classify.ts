// Decides one case's outcome from what vitest observed. Pure: the reporter gathers the inputs.
import type { KnownFailure } from '../matrix/known-failures.ts';
import { cellTitle } from '../matrix/naming.ts';
import type { ConformanceMeta } from './case-meta.ts';
import { cellId } from './cell-id.ts';
import { failureDetail, normalizeWire, type SerializedErrorLike } from './failure-detail.ts';
import type { KnownFlaky } from './known-flaky.ts';
import type { CaseResult, Outcome } from './model.ts';

export interface ObservedCase {
  readonly meta: ConformanceMeta;
  readonly state: 'passed' | 'failed' | 'skipped' | 'pending';
  readonly errors: readonly SerializedErrorLike[];
  /** The note of ctx.skip(note), when there was one. */
  readonly skipNote?: string;
  /** Errors of the enclosing cell suite: a failed beforeAll leaves its tests "skipped". */
  readonly suiteErrors: readonly SerializedErrorLike[];
  readonly durationMs: number;
  readonly attempts: number;
}

export interface ClassifyContext {
  readonly knownFailures: ReadonlyMap<string, KnownFailure>;
  readonly knownFlaky: ReadonlyMap<string, KnownFlaky>;
  /** Why container suites were skipped in this run, if they were. */
  readonly runSkipReason?: string;
}

const TIMEOUT_MESSAGE = /\b(Test|Hook) timed out in \d+ ?ms|\bclient timed out after\b/;

function isTimeout(error: SerializedErrorLike | undefined): boolean {
  if (!error) return false;
  return error.name === 'CaseTimeoutError' || TIMEOUT_MESSAGE.test(String(error.message ?? ''));
}

function outcomeOf(observed: ObservedCase): { outcome: Outcome; error?: SerializedErrorLike; skipReason?: string } {
  const known = observed.meta.knownFailure !== undefined;
  const [firstError] = observed.errors;
  const [suiteError] = observed.suiteErrors;
  switch (observed.state) {
    case 'passed':
      if (known && observed.meta.intermittentPass) return { outcome: 'pass' };
      return known ? { outcome: 'expected-failure', ...(observed.meta.observed ? { error: observed.meta.observed } : {}) } : { outcome: 'pass' };
    case 'failed':
      if (firstError?.name === 'StaleKnownFailureError') return { outcome: 'unexpected-pass', error: firstError };
      if (isTimeout(firstError)) return { outcome: 'timeout', ...(firstError ? { error: firstError } : {}) };
      return { outcome: 'fail', ...(firstError ? { error: firstError } : {}) };
    case 'skipped':
    case 'pending':
      // A cell whose setup failed never ran its cases: that is a failure of every case, not a skip.
      if (suiteError) {
        const error = { ...suiteError, message: `cell setup failed: ${String(suiteError.message ?? '')}` };
        if (known) return { outcome: 'expected-failure', error };
        return { outcome: isTimeout(suiteError) ? 'timeout' : 'fail', error };
      }
      if (observed.state === 'pending') return { outcome: 'skipped', skipReason: 'did not finish: the run was interrupted' };
      return { outcome: 'skipped', ...(observed.skipNote ? { skipReason: observed.skipNote } : {}) };
  }
}

export function classify(observed: ObservedCase, context: ClassifyContext): CaseResult {
  const { coordinates } = observed.meta;
  const traced = normalizeWire(observed.meta.wire);
  const verdict = outcomeOf(observed);
  const knownFailure = observed.meta.knownFailure !== undefined ? context.knownFailures.get(observed.meta.knownFailure) : undefined;
  const knownFlaky = observed.meta.knownFlaky !== undefined ? context.knownFlaky.get(observed.meta.knownFlaky) : undefined;
  const skipReason = verdict.outcome === 'skipped'
    ? (verdict.skipReason ?? context.runSkipReason ?? 'not selected to run (.skip, .only or a name filter)')
    : undefined;
  return {
    coordinates,
    cellId: cellId(coordinates),
    title: `${cellTitle(coordinates)} | ${coordinates.case}`,
    outcome: verdict.outcome,
    ...(skipReason !== undefined ? { skipReason } : {}),
    durationMs: Math.round(observed.durationMs),
    attempts: Math.max(1, observed.attempts),
    ...(observed.meta.knownFailure !== undefined ? {
      knownFailure: {
        id: observed.meta.knownFailure,
        reason: knownFailure?.reason ?? '(entry not found in suites/known-failures.json)',
        ...(knownFailure?.upstream ? { upstream: knownFailure.upstream } : {}),
      },
    } : {}),
    ...(observed.meta.knownFlaky !== undefined ? {
      knownFlaky: { id: observed.meta.knownFlaky, reason: knownFlaky?.reason ?? '(entry not found in suites/known-flaky.json)' },
    } : {}),
    ...(verdict.error ? { failure: failureDetail(verdict.error) } : {}),
    logs: { ...observed.meta.logs },
    ...(observed.meta.peerRun ? { peerRun: observed.meta.peerRun } : {}),
    ...(traced ? { wire: traced } : {}),
    ...(observed.meta.measured ? { measured: observed.meta.measured } : {}),
  };
}
