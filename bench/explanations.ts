// Why rows of ours stay below 1.0x the reference (bench/explanations.json): each explanation comes
// from a profile, names the groups and rows it covers, and, where the cause can be seen in the
// bench's own figures, checks that must all hold in the same run: that the cause is there (a floor
// below the reference, full collections) and, where it matters, that it is large enough for the
// gap (a ratio bound). So a row is "explained" only while the run still shows what the profile found; a
// regression that leaves the floor, or a new row below 1.0, is reported as unexplained instead of
// hiding under an old note.
import { readFileSync } from 'node:fs';
import { globRegExp } from '../harness/matrix/glob.ts';
import { validated } from '../harness/schemas/validate.ts';

export interface ExplanationCheck {
  /**
   * at-raw-floor: ours reaches `atLeast` of Node's raw loopback echo of the same bytes (the row's
   * ofFloor), and that echo is itself below the reference, so what is left is the event loop's,
   * not our code's.
   * at-replay-floor: the same against the replay floor of the row's side (replay.ts, replay-avro.ts: Node with
   * canned messages in place of ours, against the same peer), itself below the reference.
   * cpu-ratio: ours makes at least `atLeast` of the reference's calls per CPU-second.
   * own-cpu-ratio: our process alone (our client, our server) makes at least `atLeast` of the calls
   * per CPU-second of the reference's process in the same role.
   * ratio: the row's ratio is at least `atLeast`: the profile's cause accounts for a gap that size, not more.
   * mark-compacts: our process made at least `atLeast` full collections per 1,000 calls
   * (bench/gc-clock.ts): the collections the profile blames are there in this run.
   * fresh-process-ratio: the row's group, measured once more in the same run after its Node agents
   * were replaced by new processes (bench/fresh.ts), gave the row at least `atLeast`: what the row
   * lacks came with the process's history, not with the work our code does per call.
   */
  readonly kind: 'at-raw-floor' | 'at-replay-floor' | 'cpu-ratio' | 'own-cpu-ratio' | 'ratio' | 'mark-compacts' | 'fresh-process-ratio';
  readonly atLeast: number;
}

export interface Explanation {
  readonly id: string;
  /** Bench group ids ('*' matches anything), e.g. thrift/framed/binary/int/1/java. */
  readonly groups: readonly string[];
  /** Row names: ours client, ours server; data-file rows are "ours". */
  readonly rows: readonly string[];
  readonly cause: string;
  /** What outside our code the cause lies in. */
  readonly outside: string;
  /** The profile notes that show it (path#anchor in this repository). */
  readonly profile: string;
  /** All must hold in the run for the explanation to cover a row; none: it covers the row as it stands. */
  readonly checks?: readonly ExplanationCheck[];
}

/** The figures of one row below 1.0 that explanations are judged on. */
export interface RowFigures {
  readonly group: string;
  readonly row: string;
  /** The row's ratio to the reference (median over the rounds). */
  readonly median: number;
  /** The CPU-time ratio of the same row (median), where measured. */
  readonly cpu?: number;
  /** Our process's own calls per CPU-second over the reference's in the same role (median), where measured. */
  readonly ownCpu?: number;
  /** The row's rate over Node's raw loopback echo of the same bytes (median), where measured. */
  readonly ofFloor?: number;
  /** The raw floor's own ratio to the reference (median). */
  readonly floorRatio?: number;
  /** The row's rate over the replay floor's on its side (median), where measured. */
  readonly ofReplay?: number;
  /** That replay row's own ratio to the reference, on the row's side (median). */
  readonly replayRatio?: number;
  /** The share of our process's CPU in its main thread's collection pauses (median), where measured: shown, not checked. */
  readonly gcPauseShare?: number;
  /** Our process's mark-compacts per 1,000 calls (median), where measured. */
  readonly markCompactsPer1000?: number;
  /** The row's ratio (median) when its group was measured again in new processes (bench/fresh.ts), where it was. */
  readonly freshRatio?: number;
}

export interface Verdict {
  /** The first explanation that covers the row and holds in this run. */
  readonly explainedBy?: string;
  /** Explanations that cover the row but whose check failed in this run, with the figure. */
  readonly notHolding: readonly string[];
}

export const EXPLANATIONS_FILE = new URL('./explanations.json', import.meta.url);

export function loadExplanations(file: URL | string = EXPLANATIONS_FILE): Explanation[] {
  return validated<{ explanations: Explanation[] }>('bench-explanations', JSON.parse(readFileSync(file, 'utf8')), 'bench/explanations.json').explanations;
}

function covers(explanation: Explanation, row: RowFigures): boolean {
  return explanation.rows.includes(row.row) && explanation.groups.some((glob) => globRegExp(glob).test(row.group));
}

/** Undefined when every check holds; otherwise why the first failing one does not, with the run's figure. */
function failedChecks(checks: readonly ExplanationCheck[] | undefined, row: RowFigures): string | undefined {
  for (const check of checks ?? []) {
    const failed = failedCheck(check, row);
    if (failed !== undefined) return failed;
  }
  return undefined;
}

function failedCheck(check: ExplanationCheck, row: RowFigures): string | undefined {
  const { figure, name, floor } = checkedFigure(check.kind, row);
  if (figure === undefined) return `${name} not measured`;
  if (figure < check.atLeast) return `${name} ${figure.toFixed(2)} < ${check.atLeast}`;
  // A floor at or above the reference leaves room for our code to close the gap: it does not explain one.
  if (floor !== undefined && !(floor.ratio !== undefined && floor.ratio < 1)) {
    return floor.ratio === undefined ? `${floor.name}'s own ratio not measured` : `${floor.name} itself at ${floor.ratio.toFixed(2)} of the reference`;
  }
  return undefined;
}

function checkedFigure(kind: ExplanationCheck['kind'], row: RowFigures): { figure?: number; name: string; floor?: { name: string; ratio?: number } } {
  switch (kind) {
    case 'at-raw-floor':
      return { ...(row.ofFloor !== undefined ? { figure: row.ofFloor } : {}), name: 'of the raw floor', floor: { name: 'the raw floor', ...(row.floorRatio !== undefined ? { ratio: row.floorRatio } : {}) } };
    case 'at-replay-floor':
      return { ...(row.ofReplay !== undefined ? { figure: row.ofReplay } : {}), name: 'of the replay floor', floor: { name: 'the replay floor', ...(row.replayRatio !== undefined ? { ratio: row.replayRatio } : {}) } };
    case 'cpu-ratio':
      return { ...(row.cpu !== undefined ? { figure: row.cpu } : {}), name: 'cpu ratio' };
    case 'own-cpu-ratio':
      return { ...(row.ownCpu !== undefined ? { figure: row.ownCpu } : {}), name: 'own cpu ratio' };
    case 'ratio':
      return { figure: row.median, name: 'ratio' };
    case 'mark-compacts':
      return { ...(row.markCompactsPer1000 !== undefined ? { figure: row.markCompactsPer1000 } : {}), name: 'mark-compacts per 1,000 calls' };
    case 'fresh-process-ratio':
      return { ...(row.freshRatio !== undefined ? { figure: row.freshRatio } : {}), name: 'ratio in new processes' };
  }
}

/**
 * How far a check stands from its thresholds, relatively: positive when it holds (the least
 * relative room any of its figures has), negative when it fails (minus the relative rise the
 * furthest figure would need). A floor counts with its own ratio against 1. Several checks: the
 * least of their margins (all must hold). No check: +Infinity.
 */
function checksMargin(checks: readonly ExplanationCheck[] | undefined, row: RowFigures): number {
  return Math.min(Number.POSITIVE_INFINITY, ...(checks ?? []).map((check) => checkMargin(check, row)));
}

function checkMargin(check: ExplanationCheck, row: RowFigures): number {
  const { figure, floor } = checkedFigure(check.kind, row);
  if (figure === undefined || (floor !== undefined && floor.ratio === undefined)) return Number.NEGATIVE_INFINITY;
  const room = [figure / check.atLeast - 1, ...(floor?.ratio !== undefined ? [1 / floor.ratio - 1] : [])];
  const failing = room.filter((r) => r < 0);
  // A failing figure needs a rise of threshold/figure - 1 to pass: 1/(1 + r) - 1 for r < 0.
  return failing.length > 0 ? -Math.max(...failing.map((r) => 1 / (1 + r) - 1)) : Math.min(...room);
}

/**
 * How near a row of ours is to changing verdict between "acceptable" (at or above 1.0, or below it
 * and explained) and "not explained", as the least relative change of one of its figures that
 * could flip it (ratios of rounds on a 2-core VM move ±15% from run to run). The bench measures
 * a group again with more rounds when one of its rows is nearer than its margin, whichever way
 * the row stands (settle.ts): so more rounds can take a row out of "explained" as well as into it.
 */
export function verdictMargin(row: RowFigures, explanations: readonly Explanation[]): number {
  const covering = explanations.filter((e) => covers(e, row));
  if (row.median >= 1) {
    // At or above 1.0: it flips only by falling below 1.0 where nothing would explain it.
    const asBelow = { ...row, median: Math.min(row.median, 0.999) };
    const best = Math.max(Number.NEGATIVE_INFINITY, ...covering.map((e) => checksMargin(e.checks, asBelow)));
    return Math.max(row.median - 1, best);
  }
  const margins = covering.map((e) => checksMargin(e.checks, row));
  const holding = margins.filter((m) => m >= 0);
  // Explained: it flips when every holding explanation fails, the one with the most room last.
  if (holding.length > 0) return Math.max(...holding);
  // Not explained: it flips when the ratio reaches 1.0 or the nearest explanation's check passes.
  return Math.min(1 / row.median - 1, ...margins.map((m) => -m));
}

export function judge(row: RowFigures, explanations: readonly Explanation[]): Verdict {
  const notHolding: string[] = [];
  for (const explanation of explanations) {
    if (!covers(explanation, row)) continue;
    const failed = failedChecks(explanation.checks, row);
    if (failed === undefined) return { explainedBy: explanation.id, notHolding };
    notHolding.push(`${explanation.id}: ${failed}`);
  }
  return { notHolding };
}
