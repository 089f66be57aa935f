// What matrix.html is made of: a small summary embedded in the page (run, gate, one entry per
// matrix cell with its counts, the comparison, the version grids) and, per family, the cases
// with their failure details in reports/matrix-data/<family>.js, which the page loads only when
// someone opens a cell of that family. A cell's peer command and log paths are the same for all
// its cases, so they are stored once per cell.
import { expectedActualFromText } from '../results/failure-detail.ts';
import type { CaseResult, FailureDetail, PeerRun, RunResults, WireDump } from '../results/model.ts';
import type { CellSummary } from './aggregate.ts';
import type { Comparison } from './compare.ts';
import type { VersionGrid } from './version-grid.ts';

export const DATA_DIR = 'matrix-data';
/** The global function a data file calls; the page defines it. */
export const DATA_CALLBACK = 'conformanceMatrixData';
/** Changes listed per kind in the page (all of them are in the console count and results.json). */
export const PAGE_CHANGES_PER_KIND = 500;

/**
 * A matrix cell in the page's summary, compact because a version grid multiplies the cells:
 * `a` holds, per axis of PageSummary.axes, the index of the cell's value in
 * PageSummary.axisValues (-1: the cell lacks the axis); zero counts are left out.
 */
export interface PageCell {
  readonly id: string;
  readonly a: readonly number[];
  /** Outcome counts above zero. */
  readonly n: Readonly<Record<string, number>>;
  readonly ran: number;
  /** Interoperating cases. */
  readonly ok: number;
  readonly retries?: number;
  /** Cases failing the gate. */
  readonly gate?: number;
  /** Known-failure entry -> expected failures. */
  readonly kf?: Readonly<Record<string, number>>;
}

export interface PageSummary {
  readonly run: RunResults['run'];
  readonly gate: RunResults['gate'];
  readonly references: RunResults['references'];
  readonly implementations: RunResults['implementations'];
  readonly staleEntries: RunResults['staleEntries'];
  readonly unhandledErrors: RunResults['unhandledErrors'];
  /** Axes present in this run, in report order (without the case). */
  readonly axes: readonly string[];
  /** Per axis, its values; PageCell.a indexes into these. */
  readonly axisValues: Readonly<Record<string, readonly string[]>>;
  readonly cells: readonly PageCell[];
  readonly families: readonly { readonly family: string; readonly file: string; readonly cases: number; readonly bytes: number }[];
  readonly knownFailures: Readonly<Record<string, { readonly reason: string; readonly upstream?: string }>>;
  readonly comparison?: PageComparison;
  readonly comparisonProblem?: string;
  readonly versionGrids: readonly VersionGrid[];
}

export type PageComparison = Omit<Comparison, 'newFailures' | 'fixed' | 'added' | 'removed' | 'otherChanges'> & {
  readonly lists: Readonly<Record<'newFailures' | 'fixed' | 'added' | 'removed' | 'otherChanges', { readonly total: number; readonly shown: Comparison['newFailures'] }>>;
};

/** One case in a family data file: short keys, absent fields left out. */
export interface PageCase {
  readonly c: string;
  readonly o: string;
  readonly ms: number;
  readonly a?: number;
  readonly skip?: string;
  readonly kf?: string;
  readonly flaky?: { readonly id: string; readonly reason: string };
  readonly f?: FailureDetail;
  readonly w?: readonly WireDump[];
}

export interface PageCellData {
  readonly peerRun?: PeerRun;
  readonly logs: CaseResult['logs'];
  readonly cases: readonly PageCase[];
}

export interface FamilyData {
  readonly family: string;
  /** The run the file belongs to: the page refuses a data file left from another run. */
  readonly run: string;
  readonly cells: Readonly<Record<string, PageCellData>>;
}

/** The cells in page form, with the value tables their `a` indexes into. */
export function pageCells(cells: readonly CellSummary[], axes: readonly string[]): { cells: PageCell[]; axisValues: Record<string, string[]> } {
  const axisValues: Record<string, string[]> = Object.fromEntries(axes.map((axis) => [axis, []]));
  const index = new Map<string, number>();
  const indexOf = (axis: string, value: string | undefined): number => {
    if (value === undefined) return -1;
    const key = `${axis}\u0000${value}`;
    let at = index.get(key);
    if (at === undefined) {
      const values = axisValues[axis] as string[];
      at = values.push(value) - 1;
      index.set(key, at);
    }
    return at;
  };
  return {
    axisValues,
    cells: cells.map((cell) => ({
      id: cell.cellId,
      a: axes.map((axis) => indexOf(axis, cell.axes[axis])),
      n: Object.fromEntries(Object.entries(cell.counts).filter(([, count]) => count > 0)),
      ran: cell.ran,
      ok: cell.interoperating,
      ...(cell.retries > 0 ? { retries: cell.retries } : {}),
      ...(cell.gateFailures > 0 ? { gate: cell.gateFailures } : {}),
      ...(Object.keys(cell.knownFailures).length > 0 ? { kf: cell.knownFailures } : {}),
    })),
  };
}

/** A results.json written before checks gave expected/actual as fields: read them back from the message, as the reporter now does. */
function withExpectedActual(failure: FailureDetail): FailureDetail {
  if (failure.expected !== undefined || failure.actual !== undefined) return failure;
  const read = expectedActualFromText(failure.message);
  return read ? { ...failure, ...read, mismatchSource: 'message' } : failure;
}

function pageCase(result: CaseResult): PageCase {
  return {
    c: result.coordinates.case, o: result.outcome, ms: result.durationMs,
    ...(result.attempts > 1 ? { a: result.attempts } : {}),
    ...(result.skipReason ? { skip: result.skipReason } : {}),
    ...(result.knownFailure ? { kf: result.knownFailure.id } : {}),
    ...(result.knownFlaky ? { flaky: result.knownFlaky } : {}),
    ...(result.failure ? { f: withExpectedActual(result.failure) } : {}),
    ...(result.wire ? { w: result.wire } : {}),
  };
}

export function familyData(family: string, cells: readonly CellSummary[], runId: string): FamilyData {
  const data: Record<string, PageCellData> = {};
  for (const cell of cells) {
    if (cell.family !== family) continue;
    const first = cell.results[0];
    data[cell.cellId] = {
      ...(first?.peerRun ? { peerRun: first.peerRun } : {}),
      logs: first?.logs ?? {},
      cases: cell.results.map(pageCase),
    };
  }
  return { family, run: runId, cells: data };
}

export function knownFailureTable(results: readonly CaseResult[]): Record<string, { reason: string; upstream?: string }> {
  const table: Record<string, { reason: string; upstream?: string }> = {};
  for (const result of results) {
    const entry = result.knownFailure;
    if (entry && !table[entry.id]) table[entry.id] = { reason: entry.reason, ...(entry.upstream ? { upstream: entry.upstream } : {}) };
  }
  return table;
}

export function pageComparison(comparison: Comparison, perKind = PAGE_CHANGES_PER_KIND): PageComparison {
  const { newFailures, fixed, added, removed, otherChanges, ...rest } = comparison;
  const list = (items: Comparison['newFailures']) => ({ total: items.length, shown: items.slice(0, perKind) });
  return { ...rest, lists: { newFailures: list(newFailures), fixed: list(fixed), added: list(added), removed: list(removed), otherChanges: list(otherChanges) } };
}

/** JSON that cannot end the <script> element it sits in, whatever strings the results hold. */
export function embeddableJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A family data file: a script that hands its data to the page (works from file:// too, unlike fetch). */
export function familyDataScript(data: FamilyData): string {
  return `${DATA_CALLBACK}(${embeddableJson(data)});\n`;
}

/** Where a family's data file lives, relative to the reports folder. */
export function familyDataPath(family: string): string {
  return `${DATA_DIR}/${family.replace(/[^a-z0-9_-]/gi, '_')}.js`;
}
