// The known-failures file (suites/known-failures.json): cases that fail because a reference
// implementation, or a library we build on, is wrong. Each entry matches cells and cases by axis,
// gives the root cause and the bytes that show it. A matched case still runs and is expected to
// fail; if it passes, the run fails and names the stale entry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseCoordinates } from './axes.ts';
import { REPO_ROOT } from '../docker/peers.ts';
import { globRegExp } from './glob.ts';

export type AxisPattern = Partial<Record<keyof CaseCoordinates, string>>;

export interface KnownFailure {
  readonly id: string;
  /** Axis -> value; "*" matches anything inside a value (e.g. "echo-long-*"). */
  readonly match: AxisPattern;
  readonly reason: string;
  readonly evidence: string;
  readonly upstream?: string;
}

export const KNOWN_FAILURES_FILE = join(REPO_ROOT, 'suites', 'known-failures.json');

export function loadKnownFailures(path = KNOWN_FAILURES_FILE): KnownFailure[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { entries: KnownFailure[] };
  return parsed.entries;
}

function globMatches(pattern: string, value: string): boolean {
  return globRegExp(pattern).test(value);
}

export function matchesEntry(entry: KnownFailure, coordinates: CaseCoordinates): boolean {
  return Object.entries(entry.match).every(([axis, pattern]) =>
    pattern === undefined || globMatches(pattern, String(coordinates[axis as keyof CaseCoordinates])));
}

export function knownFailureFor(coordinates: CaseCoordinates, entries = loadKnownFailures()): KnownFailure | undefined {
  return entries.find((entry) => matchesEntry(entry, coordinates));
}
