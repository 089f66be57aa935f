// A run against a previous one (its results.json): which cases fail now and did not, which work
// now and did not, which are new and which are gone. Cases are matched on the axes both runs
// have, so a run that adds an axis (say `version`) still compares with one from before it.
import { globRegExp } from '../matrix/glob.ts';
import type { CaseResult, Outcome, RunInfo, RunResults } from '../results/model.ts';
import { axisEntries, interoperates } from './axes.ts';

export interface CaseChange {
  readonly family: string;
  /** The current run's cell (the baseline's for a removed case). */
  readonly cellId: string;
  readonly case: string;
  readonly title: string;
  /** The baseline's outcome; absent for a new case. */
  readonly from?: Outcome;
  /** The current outcome; absent for a removed case. */
  readonly to?: Outcome;
}

export interface Comparison {
  readonly baseline: {
    /** Where it was read from, as given or as kept in reports/history/. */
    readonly source: string;
    readonly startedAt: string;
    readonly gitRevision: string;
    readonly full: boolean;
    readonly cases: number;
  };
  /** The axes cases were matched on (those both runs have). */
  readonly axes: readonly string[];
  /** Fails now (failure, timeout or expected failure); passed or did not run before. */
  readonly newFailures: readonly CaseChange[];
  /** Interoperates now; failed before. */
  readonly fixed: readonly CaseChange[];
  /** In this run only. */
  readonly added: readonly CaseChange[];
  /** In the baseline only, among the cases this run selected (its filter and case glob). */
  readonly removed: readonly CaseChange[];
  /** Any other change of outcome (failure -> expected failure, pass -> skipped, ...). */
  readonly otherChanges: readonly CaseChange[];
  readonly unchanged: number;
  /** Why `removed` may hold cases that were not really dropped: the run was narrowed or interrupted. */
  readonly removedNote?: string;
}

const NOT_INTEROPERATING: ReadonlySet<Outcome> = new Set<Outcome>(['fail', 'timeout', 'expected-failure']);

function axesOf(results: readonly CaseResult[]): Set<string> {
  const axes = new Set<string>();
  for (const result of results) for (const axis of Object.keys(result.coordinates)) axes.add(axis);
  return axes;
}

function keyOf(result: CaseResult, axes: readonly string[]): string {
  const record = result.coordinates as unknown as Readonly<Record<string, unknown>>;
  return axes.map((axis) => String(record[axis] ?? '')).join('\u0000');
}

function change(result: CaseResult, from: Outcome | undefined, to: Outcome | undefined): CaseChange {
  return {
    family: result.coordinates.family, cellId: result.cellId, case: result.coordinates.case, title: result.title,
    ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}),
  };
}

/** Whether the current run selected this baseline case: its axis filter and case glob, as recorded. */
function selectedBy(run: RunInfo, result: CaseResult): boolean {
  const values = new Map(axisEntries(result.coordinates));
  for (const [axis, value] of Object.entries(run.filter ?? {})) {
    if (value !== undefined && values.get(axis) !== value) return false;
  }
  return !run.caseGlob || globRegExp(run.caseGlob).test(result.coordinates.case);
}

function byCase(a: CaseChange, b: CaseChange): number {
  return a.family.localeCompare(b.family) || a.cellId.localeCompare(b.cellId) || a.case.localeCompare(b.case);
}

export function compareRuns(current: RunResults, baseline: RunResults, source: string): Comparison {
  const baselineAxes = axesOf(baseline.results);
  const axes = [...axesOf(current.results)].filter((axis) => baselineAxes.has(axis)).sort();
  const before = new Map<string, CaseResult>();
  for (const result of baseline.results) {
    const key = keyOf(result, axes);
    if (!before.has(key)) before.set(key, result);
  }
  const seen = new Set<string>();
  const newFailures: CaseChange[] = [];
  const fixed: CaseChange[] = [];
  const added: CaseChange[] = [];
  const otherChanges: CaseChange[] = [];
  let unchanged = 0;
  for (const result of current.results) {
    const key = keyOf(result, axes);
    const old = before.get(key);
    if (!old) {
      added.push(change(result, undefined, result.outcome));
      continue;
    }
    seen.add(key);
    const from = old.outcome;
    const to = result.outcome;
    if (NOT_INTEROPERATING.has(to) && !NOT_INTEROPERATING.has(from)) newFailures.push(change(result, from, to));
    else if (interoperates(to) && NOT_INTEROPERATING.has(from)) fixed.push(change(result, from, to));
    else if (from !== to) otherChanges.push(change(result, from, to));
    else unchanged += 1;
  }
  const removed = baseline.results
    .filter((result) => !seen.has(keyOf(result, axes)) && selectedBy(current.run, result))
    .map((result) => change(result, result.outcome, undefined));
  const narrowed = !current.run.full && Object.keys(current.run.filter ?? {}).length === 0 && !current.run.caseGlob;
  const removedNote = current.run.interrupted || current.run.vitestState === 'interrupted'
    ? 'this run was interrupted: a case listed as removed may simply not have been reached'
    : narrowed ? 'this run was narrowed by file or test name: a case listed as removed may simply not have been selected' : undefined;
  return {
    baseline: {
      source, startedAt: baseline.run.startedAt, gitRevision: baseline.run.gitRevision, full: baseline.run.full, cases: baseline.results.length,
    },
    axes,
    newFailures: newFailures.sort(byCase),
    fixed: fixed.sort(byCase),
    added: added.sort(byCase),
    removed: removed.sort(byCase),
    otherChanges: otherChanges.sort(byCase),
    unchanged,
    ...(removedNote ? { removedNote } : {}),
  };
}

export function comparisonCounts(comparison: Comparison): string {
  return `${comparison.newFailures.length} new failure(s), ${comparison.fixed.length} fixed, ` +
    `${comparison.added.length} new case(s), ${comparison.removed.length} removed, ${comparison.otherChanges.length} other change(s)`;
}

export function changeLine(item: CaseChange): string {
  const outcomes = item.from && item.to ? `${item.from} → ${item.to}` : item.to ?? item.from ?? '';
  return `${item.title} (${outcomes})`;
}

/** What the console shows after a run: the counts, then the first cases of each kind. */
export function comparisonConsoleLines(comparison: Comparison, perKind = 10): string[] {
  const b = comparison.baseline;
  const lines = [`compared with the run of ${b.startedAt} (${b.gitRevision.slice(0, 12)}, ${b.source}): ${comparisonCounts(comparison)}`];
  const kinds: [string, readonly CaseChange[]][] = [
    ['new failure', comparison.newFailures], ['fixed', comparison.fixed], ['new case', comparison.added],
    ['removed', comparison.removed], ['changed', comparison.otherChanges],
  ];
  for (const [label, list] of kinds) {
    for (const item of list.slice(0, perKind)) lines.push(`  ${label}: ${changeLine(item)}`);
    if (list.length > perKind) lines.push(`  ... and ${list.length - perKind} more ${label} line(s): matrix.md, matrix.html`);
  }
  if (comparison.removedNote && comparison.removed.length > 0) lines.push(`  (${comparison.removedNote})`);
  return lines;
}

