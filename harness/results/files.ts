// Where reports land, and reading / writing results.json.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../docker/peers.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults } from './model.ts';

/** reports/ at the repository root, or CONFORMANCE_REPORTS_DIR (tests render into temporary folders). */
export function reportsDir(): string {
  return process.env['CONFORMANCE_REPORTS_DIR'] ?? join(REPO_ROOT, 'reports');
}

export function resultsFile(dir = reportsDir()): string {
  return join(dir, 'results.json');
}

/** A path as reports store it: relative to the repository root, or absolute when outside it. */
export function repoRelative(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

export function writeResults(results: RunResults, path = resultsFile()): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

export function readResults(path = resultsFile()): RunResults {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as RunResults;
  if (parsed.schema !== RESULTS_SCHEMA_VERSION) {
    throw new Error(`${path}: results schema ${String(parsed.schema)}, this harness reads ${RESULTS_SCHEMA_VERSION}; re-run the matrix`);
  }
  return parsed;
}

/**
 * At the start of a run: the last run's results.json goes (reports/history/ keeps it, the default
 * baseline), so that no verdict of an earlier run can be mistaken for this one's if this one never
 * finishes.
 */
export function retireResults(dir = reportsDir()): void {
  rmSync(resultsFile(dir), { force: true });
}
