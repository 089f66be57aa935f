// The known-failures file (suites/known-failures.json): cases that fail because a reference
// implementation, or a library we test or build on, is wrong -- never our own code. Each entry
// matches cells and cases by axis (and optionally a semver range of peer releases), gives the root
// cause, the bytes that show it and the upstream report. A matched case still runs and is expected
// to fail; if it passes, the run fails and names the stale entry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseCoordinates } from './axes.ts';
import { inRange, REPO_ROOT } from '../docker/peers.ts';
import { validated } from '../schemas/validate.ts';
import { globRegExp } from './glob.ts';

export type AxisPattern = Partial<Record<keyof CaseCoordinates, string>>;

export interface KnownFailure {
  readonly id: string;
  /** Axis -> value; "*" matches anything inside a value (e.g. "echo-long-*"). */
  readonly match: AxisPattern;
  /**
   * Cases the match would take that the entry leaves out (axis patterns, as in match); a list
   * leaves out the cases of each of its patterns.
   */
  readonly except?: AxisPattern | readonly AxisPattern[];
  /** A semver range of the peer releases the entry applies to (default: every release). */
  readonly versions?: string;
  /**
   * The defect shows only some of the time (a race in the reference, say): a pass is then a pass,
   * not a stale entry. The reason must say why it is intermittent.
   */
  readonly intermittent?: boolean;
  /**
   * A case of the same cell that sets the defect off (e.g. one request that crashes a server, after
   * which every case fails): the entry applies to that case and to the cases that run after it in
   * the cell, and to none when a narrower selection leaves it out, since the others then pass.
   */
  readonly setOffBy?: string;
  readonly reason: string;
  readonly evidence: string;
  readonly upstream?: string;
}

export const KNOWN_FAILURES_FILE = join(REPO_ROOT, 'suites', 'known-failures.json');

export function loadKnownFailures(path = KNOWN_FAILURES_FILE): KnownFailure[] {
  return validated<{ entries: KnownFailure[] }>('known-failures', JSON.parse(readFileSync(path, 'utf8')), path.replace(`${REPO_ROOT}/`, '')).entries;
}

/** Coordinates as results.json may hold them (older results have no version or socket). */
type Matchable = Omit<CaseCoordinates, 'version' | 'socket'> & { readonly version?: string; readonly socket?: string };

function allMatch(patterns: AxisPattern, coordinates: Matchable): boolean {
  return Object.entries(patterns).every(([axis, pattern]) =>
    pattern === undefined || globRegExp(pattern).test(String(coordinates[axis as keyof Matchable] ?? '')));
}

export function matchesEntry(entry: Pick<KnownFailure, 'match' | 'versions' | 'except'>, coordinates: Matchable): boolean {
  if (entry.versions && !inRange(coordinates.version ?? '', entry.versions)) return false;
  if (entry.except !== undefined && [entry.except].flat().some((pattern) => allMatch(pattern, coordinates))) return false;
  return allMatch(entry.match, coordinates);
}

/**
 * The entry a case is expected to fail by. `earlier`: the ids of the cases of the same cell that run
 * before it in this selection (what `setOffBy` looks at).
 */
export function knownFailureFor(coordinates: CaseCoordinates, entries: readonly KnownFailure[], earlier: readonly string[] = []): KnownFailure | undefined {
  return entries.find((entry) => matchesEntry(entry, coordinates)
    && (entry.setOffBy === undefined || entry.setOffBy === coordinates.case || earlier.includes(entry.setOffBy)));
}
