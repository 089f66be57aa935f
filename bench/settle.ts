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
  /**
   * A rate whose largest round is more than this many times its smallest is not settled. Over the
   * 63 groups of two full runs the reference's spread had a median of 1.4 and a 90th percentile of
   * 2.0; 2-5 groups a run went past 3 (reference or ours).
   */
  spread: 3,
  /** At most this many such groups, the widest first, besides the `most` nearest ones. */
  mostUnsteady: 6,
} as const;

export interface Unsettled {
  readonly group: string;
  /** The rows of ours nearer than the margin, with theirs. */
  readonly rows: ReadonlyArray<{ readonly row: string; readonly margin: number }>;
  /** The least margin of those rows (-1 when there are none: only a spread put the group here). */
  readonly margin: number;
  /** The reference or row of ours whose rate moved most between rounds, when past SETTLE.spread. */
  readonly spread?: { readonly row: string; readonly factor: number };
}

type Figures = ReturnType<typeof figuresOfGroup>[number];

function nearRows(figures: readonly Figures[], explanations: readonly Explanation[], margin: number): Unsettled['rows'] {
  return figures.map((f) => ({ row: f.row, margin: verdictMargin(f, explanations) })).filter((r) => r.margin < margin);
}

/** The row (reference or ours) whose rate moved most between the group's rounds, past `most`. */
function widestSpread(group: GroupResult, most: number): Unsettled['spread'] {
  let widest: Unsettled['spread'];
  for (const row of group.rows) {
    if (row.kind !== 'reference' && row.impl !== 'ours') continue;
    const rate = row.rate;
    if (!rate || !(rate.min > 0)) continue;
    const factor = rate.max / rate.min;
    if (factor > most && (!widest || factor > widest.factor)) widest = { row: row.name, factor };
  }
  return widest;
}

/**
 * The RPC groups to measure again: those whose rates moved past the spread bound (at most
 * `mostUnsteady`, the widest first), then those nearest another verdict (at most `most`), so that
 * the unsteady ones never take the place of a near one.
 */
export function unsettledGroups(groups: readonly GroupResult[], explanations: readonly Explanation[], options: { margin: number; most: number; spread?: number; mostUnsteady?: number } = SETTLE): Unsettled[] {
  const unsteady: Unsettled[] = [];
  const near: Unsettled[] = [];
  for (const group of groups) {
    if (group.skipped !== undefined) continue;
    const rows = nearRows(figuresOfGroup(group), explanations, options.margin);
    const spread = options.spread === undefined ? undefined : widestSpread(group, options.spread);
    const margin = rows.length > 0 ? Math.min(...rows.map((r) => r.margin)) : -1;
    if (spread) unsteady.push({ group: group.id, rows, margin, spread });
    else if (rows.length > 0) near.push({ group: group.id, rows, margin });
  }
  unsteady.sort((a, b) => (b.spread?.factor ?? 0) - (a.spread?.factor ?? 0));
  near.sort((a, b) => a.margin - b.margin);
  return [...unsteady.slice(0, options.mostUnsteady ?? unsteady.length), ...near.slice(0, options.most)];
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
  const spread = u.spread ? [`${u.spread.row}'s rate moved ${u.spread.factor.toFixed(1)}x between rounds`] : [];
  return [...spread, ...u.rows.map(reasonOf)].join('; ');
}
