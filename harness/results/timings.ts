// Where a run's time goes, measured where it is spent (the global setup builds images, the test
// workers start containers and servers) and summed by the results reporter into results.json and
// the console: image builds, container and server starts, peer client runs, cases, reporting.
// Each process appends to one file in the run directory, so no process needs another's memory.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_DIR_ENV } from '../run/run-dir.ts';

export type Phase = 'images' | 'container-starts' | 'server-starts' | 'peer-client-runs' | 'reporting';

function file(dir = process.env[RUN_DIR_ENV]): string | undefined {
  return dir ? join(dir, 'timings.ndjson') : undefined;
}

/** Adds ms to a phase of the current run (no-op outside a run). */
export function recordPhase(phase: Phase, ms: number): void {
  const path = file();
  if (path) appendFileSync(path, `${JSON.stringify({ phase, ms: Math.round(ms) })}\n`);
}

/** Milliseconds per phase, summed over every process of the run. */
export function readPhases(dir?: string): Partial<Record<Phase, number>> {
  const path = file(dir);
  const totals: Partial<Record<Phase, number>> = {};
  if (!path || !existsSync(path)) return totals;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const { phase, ms } = JSON.parse(line) as { phase: Phase; ms: number };
    totals[phase] = (totals[phase] ?? 0) + ms;
  }
  return totals;
}
