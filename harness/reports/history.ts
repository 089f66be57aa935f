// The previous runs kept in reports/history/ (gzip-compressed results.json, newest few), so that
// every render can compare with the run before it without anyone keeping a copy by hand. A run is
// kept when it is rendered; re-rendering the same run (`conformance report`) compares it with the
// run before it, not with itself. `--baseline path` (or CONFORMANCE_BASELINE) picks any results.json.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RunResults } from '../results/model.ts';

export const HISTORY_DIR = 'history';
/** Runs kept; older ones are removed. */
export const HISTORY_KEEP = 3;
export const BASELINE_ENV = 'CONFORMANCE_BASELINE';

/** A file name that sorts like the instant: "2026-11-29T07-10-46-321Z.json.gz". */
export function historyName(startedAt: string): string {
  return `${startedAt.replace(/[^0-9A-Za-z]/g, '-')}.json.gz`;
}

/** Keeps this run's results.json text (compressed) and removes all but the newest HISTORY_KEEP runs. */
export function keepRun(dir: string, startedAt: string, resultsText: string): string {
  const folder = join(dir, HISTORY_DIR);
  mkdirSync(folder, { recursive: true });
  const name = historyName(startedAt);
  const path = join(folder, name);
  if (!existsSync(path)) {
    // Level 1: the file is read back once, by the next render; speed matters more than bytes.
    writeFileSync(`${path}.partial`, gzipSync(resultsText, { level: 1 }));
    renameSync(`${path}.partial`, path);
  }
  const kept = readdirSync(folder).filter((f) => f.endsWith('.json.gz')).sort();
  for (const old of kept.slice(0, Math.max(0, kept.length - HISTORY_KEEP))) rmSync(join(folder, old), { force: true });
  return `${HISTORY_DIR}/${name}`;
}

/** The newest kept run that started before this one, if any (a path relative to dir). */
export function previousRun(dir: string, startedAt: string): string | undefined {
  const folder = join(dir, HISTORY_DIR);
  if (!existsSync(folder)) return undefined;
  const current = historyName(startedAt);
  const older = readdirSync(folder).filter((f) => f.endsWith('.json.gz') && f < current).sort();
  const newest = older[older.length - 1];
  return newest ? `${HISTORY_DIR}/${newest}` : undefined;
}

/**
 * Reads a results.json (plain or .gz) to compare against. Only what the comparison needs is
 * checked, so a baseline written by an older harness still compares.
 */
export function readBaseline(path: string): RunResults {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') || (raw[0] === 0x1f && raw[1] === 0x8b) ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const parsed = JSON.parse(text) as Partial<RunResults>;
  if (!Array.isArray(parsed.results) || typeof parsed.run?.startedAt !== 'string') {
    throw new Error(`${path}: not a results.json (no "results" list or no "run.startedAt")`);
  }
  return parsed as RunResults;
}
