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

type Patterns = readonly (readonly [keyof Matchable, RegExp])[];

/** An entry's patterns, each axis's glob compiled once (a plan asks every entry about every case). */
interface CompiledEntry {
  readonly match: Patterns;
  /** The match without its case pattern: what a whole cell must match. */
  readonly cellMatch: Patterns;
  readonly except: readonly Patterns[];
}

const compiledEntries = new WeakMap<Pick<KnownFailure, 'match' | 'except'>, CompiledEntry>();

function compilePatterns(patterns: AxisPattern): (readonly [keyof Matchable, RegExp])[] {
  return (Object.entries(patterns) as [keyof Matchable, string | undefined][])
    .filter((entry): entry is [keyof Matchable, string] => entry[1] !== undefined)
    .map(([axis, pattern]) => [axis, globRegExp(pattern)] as const);
}

function compiled(entry: Pick<KnownFailure, 'match' | 'except'>): CompiledEntry {
  return compiledEntries.get(entry) ?? compileAndKeep(entry);
}

function compileAndKeep(entry: Pick<KnownFailure, 'match' | 'except'>): CompiledEntry {
  const match = compilePatterns(entry.match);
  const compiledEntry = {
    match,
    cellMatch: match.filter(([axis]) => axis !== 'case'),
    except: entry.except === undefined ? [] : [entry.except].flat().map(compilePatterns),
  };
  compiledEntries.set(entry, compiledEntry);
  return compiledEntry;
}

function allMatch(patterns: Patterns, coordinates: Partial<Matchable>): boolean {
  return patterns.every(([axis, regExp]) => regExp.test(String(coordinates[axis] ?? '')));
}

/** Whether the entry holds for this peer release (no range: every release; no release: only then). */
function holdsForRelease(entry: Pick<KnownFailure, 'versions'>, version: string | undefined): boolean {
  return !entry.versions || inRange(version ?? '', entry.versions);
}

export function matchesEntry(entry: Pick<KnownFailure, 'match' | 'versions' | 'except'>, coordinates: Matchable): boolean {
  if (!holdsForRelease(entry, coordinates.version)) return false;
  const { match, except } = compiled(entry);
  if (except.some((patterns) => allMatch(patterns, coordinates))) return false;
  return allMatch(match, coordinates);
}

/**
 * The entries that may match a case of this cell: its release is in their range and every axis they
 * name but the case matches the cell. A plan narrows the file to these once per cell and then asks
 * knownFailureFor about each case (142 entries times 28,000 cases made planning the default run
 * spend ~1 s matching).
 */
export function entriesForCell<E extends KnownFailure>(cell: Omit<Matchable, 'case'>, entries: readonly E[]): E[] {
  return entries.filter((entry) => holdsForRelease(entry, cell.version) && allMatch(compiled(entry).cellMatch, cell));
}

/**
 * The entry a case is expected to fail by. `earlier`: the ids of the cases of the same cell that run
 * before it in this selection (what `setOffBy` looks at), or a function giving them, called only
 * when an entry with `setOffBy` matches (a plan would otherwise make them for every case).
 */
export function knownFailureFor(coordinates: CaseCoordinates, entries: readonly KnownFailure[], earlier: readonly string[] | (() => readonly string[]) = []): KnownFailure | undefined {
  return entries.find((entry) => matchesEntry(entry, coordinates)
    && (entry.setOffBy === undefined || entry.setOffBy === coordinates.case || (typeof earlier === 'function' ? earlier() : earlier).includes(entry.setOffBy)));
}
