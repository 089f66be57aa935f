// Groupings every matrix view shares: per family, the client side x server side grid, and per
// matrix cell the counts of each outcome.
import type { Cell, Family } from '../matrix/axes.ts';
import { countOutcomes, type CaseResult, type OutcomeCounts } from '../results/model.ts';

export interface CellSummary {
  readonly cell: Cell;
  readonly cellId: string;
  readonly counts: OutcomeCounts;
  /** Cases that ran (everything but skipped). */
  readonly ran: number;
  readonly retries: number;
  readonly results: readonly CaseResult[];
}

export interface FamilyGrid {
  readonly family: Family;
  readonly clients: readonly string[];
  readonly servers: readonly string[];
  /** "client\u0000server" -> the matrix cells between them (one per transport/protocol/server kind). */
  readonly cells: ReadonlyMap<string, readonly CellSummary[]>;
}

export function gridKey(client: string, server: string): string {
  return `${client}\u0000${server}`;
}

export function summarize(results: readonly CaseResult[]): CellSummary {
  const first = results[0];
  if (!first) throw new Error('a cell summary needs at least one result');
  const { case: _case, ...cell } = first.coordinates;
  const counts = countOutcomes(results);
  return {
    cell, cellId: first.cellId, counts, results,
    ran: results.length - counts.skipped,
    retries: results.reduce((sum, r) => sum + r.attempts - 1, 0),
  };
}

/** Our implementations first on each side, then the reference peers, each alphabetically. */
function sideOrder(names: Iterable<string>, ours: ReadonlySet<string>): string[] {
  return [...new Set(names)].sort((a, b) => Number(ours.has(b)) - Number(ours.has(a)) || a.localeCompare(b));
}

export function familyGrids(results: readonly CaseResult[]): FamilyGrid[] {
  const families = [...new Set(results.map((r) => r.coordinates.family))].sort();
  return families.map((family) => {
    const ofFamily = results.filter((r) => r.coordinates.family === family);
    const byCell = new Map<string, CaseResult[]>();
    for (const result of ofFamily) byCell.set(result.cellId, [...(byCell.get(result.cellId) ?? []), result]);
    const summaries = [...byCell.values()].map(summarize);
    const ours = new Set(ofFamily.map((r) => r.coordinates.implementation));
    const cells = new Map<string, CellSummary[]>();
    for (const summary of summaries) {
      const key = gridKey(summary.cell.client, summary.cell.server);
      cells.set(key, [...(cells.get(key) ?? []), summary]);
    }
    return {
      family,
      clients: sideOrder(summaries.map((s) => s.cell.client), ours),
      servers: sideOrder(summaries.map((s) => s.cell.server), ours),
      cells,
    };
  });
}

export function totalCounts(summaries: readonly CellSummary[]): { counts: OutcomeCounts; ran: number; retries: number } {
  const all = summaries.flatMap((s) => s.results);
  const counts = countOutcomes(all);
  return { counts, ran: all.length - counts.skipped, retries: summaries.reduce((sum, s) => sum + s.retries, 0) };
}
