// What a conformance test carries in vitest's task meta, for the results reporter to read.
// define-cells.ts sets it when the test is defined (so skipped tests carry it too) and adds to it
// while the test runs.
import type { CaseCoordinates } from '../matrix/axes.ts';
import type { PeerRun } from './model.ts';
import type { SerializedErrorLike } from './failure-detail.ts';

export interface ConformanceMeta {
  coordinates: CaseCoordinates;
  /** Id of the suites/known-failures.json entry that matched this case. */
  knownFailure: string | undefined;
  /** Id of the suites/known-flaky.json entry that matched this case. */
  knownFlaky?: string | undefined;
  /** For an expected failure: the error the case failed with (the test itself then passes). */
  observed?: SerializedErrorLike;
  /** The case passed although an intermittent known-failure entry matched it. */
  intermittentPass?: boolean;
  /** With --trace: the case's wire dumps (label + hex), whatever its outcome. */
  wire?: unknown;
  /** Repository-relative log files of the cell. */
  logs?: { tap?: string; peer?: string };
  peerRun?: PeerRun;
  /**
   * ts-server: the case's own span as the peer client saw it (from its "# case begins" line to the
   * next one). The test's own duration also holds its wait for the release's whole client plan.
   */
  durationMs?: number;
  /** [hostile] What the case measured (times, memory growth, ...), whatever its outcome. */
  measured?: Readonly<Record<string, number | string | boolean>>;
}

/** Thrown when a case matched by a known-failure entry passes: the entry is stale. */
export class StaleKnownFailureError extends Error {
  override readonly name = 'StaleKnownFailureError';
  readonly entryId: string;
  constructor(entryId: string, reason: string, caseTitle: string) {
    super(`unexpected pass: known-failure entry "${entryId}" is stale -- ${caseTitle} passed, but the entry says it fails ` +
      `because: ${reason}. Remove or narrow the entry in suites/known-failures.json.`);
    this.entryId = entryId;
  }
}

/** Thrown when a case runs longer than its per-case timeout. */
export class CaseTimeoutError extends Error {
  override readonly name = 'CaseTimeoutError';
  readonly timeoutMs: number;
  constructor(caseTitle: string, timeoutMs: number) {
    super(`timeout: ${caseTitle} did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}
