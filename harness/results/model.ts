// The results model: every cell x case outcome of a run as plain data. The vitest reporter writes it
// to reports/results.json; every other report (JUnit, matrix.md, matrix.html, index) is rendered
// from that file alone, so a report can be re-rendered without re-running anything.
import type { CaseCoordinates, Family, Language } from '../matrix/axes.ts';
import type { CellFilter } from '../matrix/cells.ts';

export const RESULTS_SCHEMA_VERSION = 1;

/**
 * pass / fail: an ordinary case. expected-failure: a case matched by suites/known-failures.json
 * that failed as the entry says. unexpected-pass: such a case passed (the entry is stale).
 * skipped: did not run (the reason is always given). timeout: the case or its cell ran out of time.
 */
export type Outcome = 'pass' | 'fail' | 'expected-failure' | 'unexpected-pass' | 'skipped' | 'timeout';

export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'expected-failure', 'unexpected-pass', 'skipped', 'timeout'];

/** Outcomes that fail the run (the known-failure gate). */
export const FAILING_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['fail', 'unexpected-pass', 'timeout']);

/** Bytes seen on the wire, as lowercase hex; label says which way and what ("sent request"). */
export interface WireDump {
  readonly label: string;
  readonly hex: string;
}

export interface FailureDetail {
  /** The first line of the error, what a person reads first. */
  readonly summary: string;
  /** The whole message (peer log tails and peer client stderr stripped out into their own fields). */
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  /**
   * Where expected/actual came from: "error" when the check threw them as fields (CaseMismatch,
   * harness/results/case-mismatch.ts, or an assertion error); "message" when they were read back
   * from the message text (failure-detail.ts), which checks should stop relying on.
   */
  readonly mismatchSource?: 'error' | 'message';
  readonly peerLogTail?: string;
  readonly wire?: readonly WireDump[];
  readonly stack?: string;
}

/** Commands and files that let a person look at, or redo, one cell by hand. */
export interface PeerRun {
  readonly image: string;
  readonly role: 'server' | 'client';
  /** Arguments after the image name (role first), exactly as the harness ran them. */
  readonly args: readonly string[];
  /** The server container, when one was started (left running with --keep). */
  readonly containerId?: string;
}

/**
 * A case's coordinates as results.json holds them. Beside the axes of CaseCoordinates, a run may
 * carry more; the reports render every key they find, in AXIS_ORDER where it names them and
 * alphabetically after, so an axis added here needs no change in the reports.
 */
export type ResultCoordinates = Omit<CaseCoordinates, 'version' | 'socket'> & {
  /** The reference peer's release ("1.12.2"); a run over a version grid has several per peer. Absent in results of older harnesses. */
  readonly version?: string;
  /** How the bytes travel: tcp, tls or unix. Absent in results of older harnesses. */
  readonly socket?: string;
};

/** The order the reports show axes in (keys of ResultCoordinates); unknown keys follow, sorted. */
export const AXIS_ORDER: readonly string[] = [
  'family', 'direction', 'client', 'server', 'peer', 'implementation', 'version', 'transport', 'protocol', 'socket', 'serverKind', 'case',
];

export interface CaseResult {
  readonly coordinates: ResultCoordinates;
  /** Stable, file-name-safe id of the cell (see cell-id.ts). */
  readonly cellId: string;
  /** Every axis, as in test names: "avro | ours -> python | http | mail | http.server | mail-send-ascii". */
  readonly title: string;
  readonly outcome: Outcome;
  /** Present exactly when outcome is "skipped". */
  readonly skipReason?: string;
  readonly durationMs: number;
  /** Attempts made (1 + retries). Retries are counted here and reported, never hidden. */
  readonly attempts: number;
  readonly knownFailure?: { readonly id: string; readonly reason: string; readonly upstream?: string };
  readonly knownFlaky?: { readonly id: string; readonly reason: string };
  /** For fail / timeout / unexpected-pass: what went wrong; for expected-failure: what was observed. */
  readonly failure?: FailureDetail;
  /** Repository-relative paths: the peer client's raw TAP, the peer server's log. */
  readonly logs: { readonly tap?: string; readonly peer?: string };
  readonly peerRun?: PeerRun;
  /** With --trace: the bytes of the case whatever its outcome (a failure also carries them in failure.wire). */
  readonly wire?: readonly WireDump[];
  /** What the case measured, whatever its outcome (the hostile family: times, memory growth, ...). */
  readonly measured?: Readonly<Record<string, number | string | boolean>>;
}

export interface VersionedImplementation {
  readonly family: Family;
  readonly id: string;
  readonly language: Language | 'javascript';
  /** Where it is declared: containers/<folder> or impls/<folder>, or a path outside the repository. */
  readonly source: string;
  /** Library -> version, as shown in reports. */
  readonly versions: Readonly<Record<string, string>>;
  /** The release this entry describes, when a peer runs in several (the `version` axis of its cases). */
  readonly version?: string;
}

/** A known-failure or known-flaky entry that matched no case in a full run: stale, fails the run. */
export interface StaleEntry {
  readonly file: string;
  readonly id: string;
  readonly reason: string;
}

export interface RunInfo {
  /** The run's id (also the label of its containers). */
  readonly runId?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly gitRevision: string;
  readonly gitDirty: boolean;
  readonly node: string;
  readonly ci: boolean;
  /** True when no axis filter, case glob or test-name filter narrowed the run. */
  readonly full: boolean;
  readonly filter: CellFilter;
  readonly caseGlob?: string;
  /** --versions, when not the default releases. */
  readonly versions?: string;
  /** --shard I/N, when this is one part of a sharded run. */
  readonly shard?: string;
  /** --trace: every case's bytes were recorded. */
  readonly trace?: boolean;
  /** --inject-fault GLOB: these cases ran through the byte-breaking proxy, on purpose. */
  readonly injectFault?: string;
  /** vitest's own verdict, before the known-failure gate; 'crashed' when the runner died without one. */
  readonly vitestState: 'passed' | 'failed' | 'interrupted' | 'crashed';
  /** Why the container suites were skipped, when they were (e.g. no Docker engine). */
  readonly skipReason?: string;
  /** Present when the run stopped before every selected case ran (Ctrl-C, a time limit, a crash). */
  readonly interrupted?: { readonly reason: string };
  /** Where the run's time went, in ms (phases overlap when cells run in parallel). */
  readonly timing?: RunTiming;
}

/**
 * Named phases the harness measures (harness/results/timings.ts); the reports show every key
 * present, these first. Container and server starts and client runs are summed over the workers;
 * casesMs is the sum of every case's own duration (a ts-server case's span in its peer client's run,
 * not its test's wait for that run); wallMs is the run's wall clock;
 * reportingMs is the collection of the results before results.json is written (the run's last line
 * prints reporting with the rendering of every report included). In a merged run wallMs is the
 * merge's own and the phases are the shards' sums.
 */
export interface RunTiming {
  readonly imageBuildsMs?: number;
  readonly containerStartsMs?: number;
  readonly serverStartsMs?: number;
  readonly peerClientRunsMs?: number;
  readonly casesMs?: number;
  readonly reportingMs?: number;
  readonly wallMs?: number;
  /** A merged run: the longest shard's wall clock (the jobs' critical path) and the shards' summed. */
  readonly longestShardWallMs?: number;
  readonly shardsWallMs?: number;
  readonly [phase: string]: number | undefined;
}

export interface GateVerdict {
  readonly ok: boolean;
  /** One line per problem, each naming the case or entry. */
  readonly problems: readonly string[];
}

export interface RunResults {
  readonly schema: typeof RESULTS_SCHEMA_VERSION;
  readonly run: RunInfo;
  readonly references: readonly VersionedImplementation[];
  readonly implementations: readonly VersionedImplementation[];
  readonly results: readonly CaseResult[];
  readonly staleEntries: readonly StaleEntry[];
  /** Errors outside any test (a crashed worker, a failing global setup). */
  readonly unhandledErrors: readonly string[];
  readonly gate: GateVerdict;
}

export type OutcomeCounts = Record<Outcome, number>;

export function countOutcomes(results: readonly CaseResult[]): OutcomeCounts {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
  for (const result of results) counts[result.outcome] += 1;
  return counts;
}
