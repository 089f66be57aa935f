// Which groups a full run measures again with more rounds. A row's verdict (at or above 1.0,
// explained, not explained) rests on medians of three rounds of 300 ms windows, which move ±15%
// from run to run on this 2-core VM; stop 32 saw the set of unexplained rows change between two
// full runs of the same code. A group with a row of ours nearer than MARGIN to changing verdict,
// whichever way (explanations.ts verdictMargin), gets EXTRA_ROUNDS more rounds, and its rows are
// judged over all its rounds: the first three are kept, none is chosen or dropped.
import { type Explanation, verdictMargin } from './explanations.ts';
import type { DatafileRow } from './datafile.ts';
import type { GroupResult } from './measure.ts';
import { figuresOfDatafile, figuresOfGroup } from './report.ts';

export const SETTLE = {
  /** A row nearer than this (relative change of one figure) to another verdict is not settled. */
  margin: 0.15,
  /** Rounds added to such a group. */
  extraRounds: 4,
  /** At most this many groups, the nearest first: a bound on the run's time (~15 s a group). */
  most: 16,
} as const;

export interface Unsettled {
  readonly group: string;
  /** The rows of ours nearer than the margin, with theirs. */
  readonly rows: ReadonlyArray<{ readonly row: string; readonly margin: number }>;
  /** The least margin of those rows. */
  readonly margin: number;
}

type Figures = ReturnType<typeof figuresOfGroup>[number];

function nearRows(figures: readonly Figures[], explanations: readonly Explanation[], margin: number): Unsettled['rows'] {
  return figures.map((f) => ({ row: f.row, margin: verdictMargin(f, explanations) })).filter((r) => r.margin < margin);
}

/** The RPC groups to measure again, nearest first, at most `most`. */
export function unsettledGroups(groups: readonly GroupResult[], explanations: readonly Explanation[], options: { margin: number; most: number } = SETTLE): Unsettled[] {
  const out: Unsettled[] = [];
  for (const group of groups) {
    if (group.skipped !== undefined) continue;
    const rows = nearRows(figuresOfGroup(group), explanations, options.margin);
    if (rows.length > 0) out.push({ group: group.id, rows, margin: Math.min(...rows.map((r) => r.margin)) });
  }
  return out.sort((a, b) => a.margin - b.margin).slice(0, options.most);
}

/**
 * Why the data-file part needs more rounds, or undefined when every row is settled. Its rounds
 * run every codec in one fresh process per participant (~15 s a round), so all rows get them.
 */
export function unsettledDatafile(rows: readonly DatafileRow[], explanations: readonly Explanation[], margin: number = SETTLE.margin): string | undefined {
  const near = figuresOfDatafile(rows).flatMap((f) => nearRows([f], explanations, margin).map((r) => `${f.group} ${reasonOf(r)}`));
  return near.length > 0 ? near.join('; ') : undefined;
}

function reasonOf(r: Unsettled['rows'][number]): string {
  return `${r.row} within ${(Math.max(r.margin, 0) * 100).toFixed(0)}% of another verdict`;
}

/** Why a group got more rounds, for the report. */
export function settleReason(u: Unsettled): string {
  return u.rows.map(reasonOf).join('; ');
}
