// The optional known-flaky list (suites/known-flaky.json): cases allowed extra attempts, each with a
// reason. Retries are given only to matched cases, counted in results.json and shown in every
// report; a case that needed a retry is never reported as a clean pass.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseCoordinates } from '../matrix/axes.ts';
import { matchesEntry, type AxisPattern } from '../matrix/known-failures.ts';
import { REPO_ROOT } from '../docker/peers.ts';
import { validated } from '../schemas/validate.ts';

export interface KnownFlaky {
  readonly id: string;
  readonly match: AxisPattern;
  readonly except?: AxisPattern | readonly AxisPattern[];
  readonly versions?: string;
  readonly reason: string;
  /** Extra attempts allowed (default 2). */
  readonly retries?: number;
}

export const KNOWN_FLAKY_FILE = join(REPO_ROOT, 'suites', 'known-flaky.json');
export const DEFAULT_FLAKY_RETRIES = 2;

export function loadKnownFlaky(path = KNOWN_FLAKY_FILE): KnownFlaky[] {
  if (!existsSync(path)) return [];
  return validated<{ entries: KnownFlaky[] }>('known-flaky', JSON.parse(readFileSync(path, 'utf8')), path.replace(`${REPO_ROOT}/`, '')).entries;
}

export function knownFlakyFor(coordinates: CaseCoordinates, entries: readonly KnownFlaky[]): KnownFlaky | undefined {
  return entries.find((entry) => matchesEntry(entry, coordinates));
}
