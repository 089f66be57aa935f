// Which groups a full run measures once more in new processes. One Node agent serves a family and
// role for the whole run, so a group inherits what the agent's earlier groups left in its process
// (its heap's size and limits, which decide how often V8 runs full collections at 64 KiB: Thrift
// profile notes, twenty-first pass). A row of ours that no explanation covers is measured again,
// its whole group, after every Node agent of the group is replaced by a new process (the peers
// keep theirs): that measurement is kept beside the row's own, never in its place, and the
// `fresh-process-ratio` check of bench/explanations.json reads it.
import { type Explanation, judge } from './explanations.ts';
import type { GroupResult, RowResult } from './measure.ts';
import type { Group } from './plan.ts';
import { figuresOfGroup } from './report.ts';

export const FRESH = {
  /** At most this many groups, those with the lowest unexplained row first: a bound on the run's time (~25 s a group at 3 rounds, ~55 s at 7). */
  most: 8,
} as const;

/** The group's rows measured in new processes (GroupResult.fresh). */
export interface FreshMeasurement {
  readonly rounds: number;
  /** The rows of ours that no explanation covered before it, and their ratios then. */
  readonly why: string;
  readonly rows: readonly RowResult[];
}

export interface Unexplained {
  readonly group: string;
  readonly rows: ReadonlyArray<{ readonly row: string; readonly median: number }>;
}

/** Groups with a row of ours below 1.0 that no explanation covers in this run, lowest row first. */
export function unexplainedGroups(groups: readonly GroupResult[], explanations: readonly Explanation[], most: number = FRESH.most): Unexplained[] {
  const out: Unexplained[] = [];
  for (const group of groups) {
    if (group.skipped !== undefined || group.fresh !== undefined) continue;
    const rows = figuresOfGroup(group)
      .filter((f) => f.median < 1 && judge(f, explanations).explainedBy === undefined)
      .map((f) => ({ row: f.row, median: f.median }));
    if (rows.length > 0) out.push({ group: group.id, rows });
  }
  const lowest = (u: Unexplained): number => Math.min(...u.rows.map((r) => r.median));
  return out.sort((a, b) => lowest(a) - lowest(b)).slice(0, most);
}

/**
 * The group as it is measured in new processes: our rows and what they are judged against (the
 * reference pair, the floors). The libraries' rows are judged by nothing, so they are neither
 * measured again nor their agents replaced: that saves the pass's time, and a library server
 * replaced under a peer's client that remembers it need not answer that client (avsc 5's HTTP server
 * under Java's: 'invalid handshake request', bench/README.md).
 */
export function judgedPart(group: Group): Group {
  return { ...group, contenders: group.contenders.filter((c) => c.kind === 'reference' || c.kind === 'floor' || c.kind === 'replay' || c.impl === 'ours') };
}

/**
 * Rounds of the measurement in new processes: as many as the group's rows have, its first rounds
 * and those settle.ts added. With 3 where the row had 7, two rows left unexplained at 3192b91 read
 * 0.98 and 0.88 in new processes, and 1.02 and 1.13 measured alone after the run.
 */
export function freshRounds(previous: GroupResult, firstRounds: number): number {
  return Math.max(firstRounds, previous.settled?.rounds ?? 0);
}

/** Why a group was measured in new processes, for the report. */
export function freshReason(u: Unexplained): string {
  return `not explained in the run: ${u.rows.map((r) => `${r.row} ${r.median.toFixed(2)}`).join(', ')}`;
}
