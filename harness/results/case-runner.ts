// Runs one case body under the two rules every conformance test shares: its own timeout (so a
// hanging peer becomes a "timeout" outcome naming the case, not a stuck worker), and the
// known-failure inversion: a matched case must fail -- the failure is kept as evidence in the
// task meta -- and if it passes, the test fails with a message naming the stale entry and its reason.
import type { KnownFailure } from '../matrix/known-failures.ts';
import { CaseTimeoutError, StaleKnownFailureError, type ConformanceMeta } from './case-meta.ts';
import type { SerializedErrorLike } from './failure-detail.ts';

export interface CaseRun {
  readonly title: string;
  readonly timeoutMs: number;
  readonly known: KnownFailure | undefined;
  /** The test's meta.conformance, to record an expected failure's error in. */
  readonly meta: ConformanceMeta;
  readonly body: () => Promise<void>;
}

async function withTimeout(body: () => Promise<void>, title: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseTimeoutError(title, timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([body(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function serialize(error: unknown): SerializedErrorLike {
  if (!(error instanceof Error)) return { message: String(error) };
  const extra = error as Error & { expected?: unknown; actual?: unknown; wire?: unknown };
  return { name: error.name, message: error.message, stack: error.stack, expected: extra.expected, actual: extra.actual, wire: extra.wire };
}

export async function runCase(run: CaseRun): Promise<void> {
  if (!run.known) {
    await withTimeout(run.body, run.title, run.timeoutMs);
    return;
  }
  try {
    await withTimeout(run.body, run.title, run.timeoutMs);
  } catch (error) {
    run.meta.observed = serialize(error);
    return; // failed as the entry says: an expected failure
  }
  // A defect that shows only some of the time (the entry says so, and why): a pass is a pass.
  if (run.known.intermittent) {
    run.meta.intermittentPass = true;
    return;
  }
  throw new StaleKnownFailureError(run.known.id, run.known.reason, run.title);
}
