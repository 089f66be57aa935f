// Groupings every view shares, computed in one pass over the results: per matrix cell the counts
// of each outcome, and per family the implementation x peer grid whose entries ("pairs") add up
// the cells between one implementation and one peer, both directions and every transport.
import { OUTCOMES, type CaseResult, type OutcomeCounts } from '../results/model.ts';
import { axisEntries, failsGate, interoperates } from './axes.ts';

export interface Tally {
  readonly counts: OutcomeCounts;
  /** Cases that ran (everything but skipped). */
  readonly ran: number;
  /** Cases that ran and interoperate (axes.ts interoperates). */
  readonly interoperating: number;
  readonly retries: number;
  /** Cases that fail the gate: failures, timeouts, unexpected passes. */
  readonly gateFailures: number;
  /** Known-failure entry id -> expected failures it covers. */
  readonly knownFailures: Readonly<Record<string, number>>;
}

export interface CellSummary extends Tally {
  readonly cellId: string;
  readonly family: string;
  /** Every axis of the cell (its coordinates without the case), in report order. */
  readonly axes: Readonly<Record<string, string>>;
  /** The cell's results, in run order. */
  readonly results: readonly CaseResult[];
}

export interface PairSummary extends Tally {
  /** The implementation under test (grid row) and the peer (grid column). */
  readonly row: string;
  readonly col: string;
  readonly cells: readonly CellSummary[];
}

export interface FamilyGrid {
  readonly family: string;
  readonly rows: readonly string[];
  readonly cols: readonly string[];
  /** pairKey(row, col) -> the pair; absent where no cell joins them. */
  readonly pairs: ReadonlyMap<string, PairSummary>;
  readonly cases: number;
}

export function pairKey(row: string, col: string): string {
  return `${row}\u0000${col}`;
}

interface MutableTally {
  counts: OutcomeCounts;
  ran: number;
  interoperating: number;
  retries: number;
  gateFailures: number;
  knownFailures: Record<string, number>;
}

function emptyTally(): MutableTally {
  return { counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts, ran: 0, interoperating: 0, retries: 0, gateFailures: 0, knownFailures: {} };
}

function add(tally: MutableTally, result: CaseResult): void {
  tally.counts[result.outcome] += 1;
  if (result.outcome !== 'skipped') tally.ran += 1;
  if (interoperates(result.outcome)) tally.interoperating += 1;
  if (failsGate(result.outcome)) tally.gateFailures += 1;
  tally.retries += Math.max(0, result.attempts - 1);
  if (result.outcome === 'expected-failure' && result.knownFailure) {
    tally.knownFailures[result.knownFailure.id] = (tally.knownFailures[result.knownFailure.id] ?? 0) + 1;
  }
}

function merge(into: MutableTally, from: Tally): void {
  for (const outcome of OUTCOMES) into.counts[outcome] += from.counts[outcome];
  into.ran += from.ran;
  into.interoperating += from.interoperating;
  into.retries += from.retries;
  into.gateFailures += from.gateFailures;
  for (const [id, n] of Object.entries(from.knownFailures)) into.knownFailures[id] = (into.knownFailures[id] ?? 0) + n;
}

export function tallyOf(summaries: readonly Tally[]): Tally {
  const tally = emptyTally();
  for (const summary of summaries) merge(tally, summary);
  return tally;
}

/** One summary per cell id, in the order cells first appear. Linear in the number of results. */
export function summarizeCells(results: readonly CaseResult[]): CellSummary[] {
  const cells = new Map<string, { tally: MutableTally; first: CaseResult; results: CaseResult[] }>();
  for (const result of results) {
    let cell = cells.get(result.cellId);
    if (!cell) {
      cell = { tally: emptyTally(), first: result, results: [] };
      cells.set(result.cellId, cell);
    }
    add(cell.tally, result);
    cell.results.push(result);
  }
  return [...cells.entries()].map(([cellId, { tally, first, results: cellResults }]) => ({
    cellId,
    family: first.coordinates.family,
    axes: Object.fromEntries(axisEntries(first.coordinates).filter(([axis]) => axis !== 'case')),
    results: cellResults,
    ...tally,
  }));
}

/**
 * Our implementations first ("ours", then the other declared implementations), then anything
 * else, each alphabetically; the same for peers (declared references first).
 */
export function sideOrder(names: Iterable<string>, declared: ReadonlySet<string>): string[] {
  const rank = (name: string): number => (name === 'ours' ? 0 : declared.has(name) ? 1 : 2);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export function familyGrids(cells: readonly CellSummary[], implementations: ReadonlySet<string>, references: ReadonlySet<string>): FamilyGrid[] {
  const byFamily = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    const list = byFamily.get(cell.family);
    if (list) list.push(cell);
    else byFamily.set(cell.family, [cell]);
  }
  return [...byFamily.keys()].sort().map((family) => {
    const ofFamily = byFamily.get(family) ?? [];
    const grouped = new Map<string, { row: string; col: string; cells: CellSummary[] }>();
    for (const cell of ofFamily) {
      const row = cell.axes['implementation'] ?? cell.axes['client'] ?? '?';
      const col = cell.axes['peer'] ?? cell.axes['server'] ?? '?';
      const key = pairKey(row, col);
      const pair = grouped.get(key) ?? { row, col, cells: [] };
      pair.cells.push(cell);
      grouped.set(key, pair);
    }
    const pairs = new Map<string, PairSummary>();
    for (const [key, pair] of grouped) pairs.set(key, { ...pair, ...tallyOf(pair.cells) });
    return {
      family,
      rows: sideOrder([...grouped.values()].map((p) => p.row), implementations),
      cols: sideOrder([...grouped.values()].map((p) => p.col), references),
      pairs,
      cases: ofFamily.reduce((sum, cell) => sum + cell.results.length, 0),
    };
  });
}
