// The quick mode's regression check: for each row of ours, its best round's ratio (ours / the Java
// reference, measured in the same round) against the committed baseline. Ratios, never absolute
// times, so a slower or busier machine does not fail it; the best of the rounds, because on this
// shared machine a round can starve one contender of CPU (rates of 0 were seen) while a real
// regression slows every round; and wide tolerances, so only a large regression fails. A row that
// fails is measured once more (main.ts) and fails the check only if it fails again.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/docker/peers.ts';
import type { GroupResult } from './measure.ts';
import type { BenchReport, QuickCheck } from './report.ts';
import { summarize } from './stats.ts';

export const DEFAULT_BASELINE = join(REPO_ROOT, 'bench', 'baseline.json');

/**
 * A row fails when its best round's rate ratio falls below baseline × tolerance (a 5x loss: a
 * Nagle stall, a lost connection pool), or its best round's CPU ratio (calls per CPU-second of
 * client and server: hardly moved by other load) below baseline × cpuTolerance (a 3x loss: a
 * quadratic decoder, a payload copied over and over). A 2x swing of either never fails.
 */
export const DEFAULT_TOLERANCE = 0.2;
export const DEFAULT_CPU_TOLERANCE = 0.3;

/**
 * A baseline ratio above this counts as this much: where ours is far ahead, the best round's ratio
 * follows the reference's luck with the scheduler more than ours (the baseline runs gave 0.79 to
 * 8.5 for one row), and a regression that leaves ours twice as fast as Java is not the large one
 * this check is for.
 */
export const BASELINE_CAP = 2;

export interface BaselineRow {
  readonly ratio: number;
  readonly cpuRatio?: number;
}

export interface BaselineFile {
  readonly description: string;
  readonly measured: string;
  readonly tolerance: number;
  readonly cpuTolerance: number;
  /** "<group id> <row name>" -> best-round ratios. */
  readonly rows: Readonly<Record<string, BaselineRow>>;
}

export function rowKey(group: string, row: string): string {
  return `${group} ${row}`;
}

/** The rows of ours with a ratio, as the baseline keys them: the best round's ratios. */
export function ourRatios(groups: readonly GroupResult[]): Map<string, BaselineRow> {
  const out = new Map<string, BaselineRow>();
  for (const group of groups) {
    for (const row of group.rows) {
      if (row.impl === 'ours' && row.ratio && (row.kind === 'client' || row.kind === 'server')) {
        out.set(rowKey(group.id, row.name), { ratio: row.ratio.max, ...(row.cpuRatio ? { cpuRatio: row.cpuRatio.max } : {}) });
      }
    }
  }
  return out;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Writes the baseline from one or more quick runs: per row, the median of the runs' best rounds. */
export function writeBaseline(path: string, ...reports: BenchReport[]): void {
  const runs = reports.map((report) => ourRatios(report.groups));
  const keys = [...new Set(runs.flatMap((r) => [...r.keys()]))].sort();
  const median = (values: number[]): number | undefined => summarize(values)?.median;
  const rows = Object.fromEntries(keys.flatMap((k) => {
    const ratio = median(runs.map((r) => r.get(k)?.ratio).filter((v): v is number => v !== undefined));
    const cpuRatio = median(runs.map((r) => r.get(k)?.cpuRatio).filter((v): v is number => v !== undefined));
    return ratio === undefined ? [] : [[k, { ratio: round2(ratio), ...(cpuRatio !== undefined ? { cpuRatio: round2(cpuRatio) } : {}) }]];
  }));
  const file: BaselineFile = {
    description: 'npm run bench -- --quick: per row of ours, the best round\'s ratio ours / Java of calls per second and of calls per CPU-second (bench/README.md), the median over the quick runs listed in "measured". A row fails below min(ratio, 2) x tolerance or min(cpuRatio, 2) x cpuTolerance, twice. Rewrite with: node bench/write-baseline.ts A/bench-quick.json B/bench-quick.json C/bench-quick.json (quick runs with --out A, B, C), or npm run bench -- --quick --write-baseline for one run',
    measured: reports.map((r) => r.run.started).join(', '), tolerance: DEFAULT_TOLERANCE, cpuTolerance: DEFAULT_CPU_TOLERANCE, rows,
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function checkBaseline(path: string, groups: readonly GroupResult[]): QuickCheck {
  const baseline = JSON.parse(readFileSync(path, 'utf8')) as BaselineFile;
  const measured = ourRatios(groups);
  const errors = new Map<string, string>();
  for (const group of groups) for (const row of group.rows) if (row.error) errors.set(rowKey(group.id, row.name), row.error);
  const checks = Object.entries(baseline.rows).map(([row, expected]) => {
    const value = measured.get(row);
    const base = { row, group: row.slice(0, row.indexOf(' ')), baseline: expected.ratio, ...(expected.cpuRatio !== undefined ? { baselineCpu: expected.cpuRatio } : {}) };
    if (value === undefined) return { ...base, ok: false, reason: `not measured${errors.has(row) ? `: ${errors.get(row)}` : ''}` };
    const reasons: string[] = [];
    const wallFloor = Math.min(expected.ratio, BASELINE_CAP) * baseline.tolerance;
    if (value.ratio < wallFloor) reasons.push(`best round's ratio ${value.ratio.toFixed(2)} is below ${wallFloor.toFixed(2)} (baseline ${expected.ratio.toFixed(2)} x ${baseline.tolerance})`);
    if (expected.cpuRatio !== undefined) {
      const cpuFloor = Math.min(expected.cpuRatio, BASELINE_CAP) * baseline.cpuTolerance;
      if (value.cpuRatio === undefined) reasons.push('no CPU ratio measured');
      else if (value.cpuRatio < cpuFloor) reasons.push(`best round's CPU ratio ${value.cpuRatio.toFixed(2)} is below ${cpuFloor.toFixed(2)} (baseline ${expected.cpuRatio.toFixed(2)} x ${baseline.cpuTolerance})`);
    }
    return { ...base, measured: value.ratio, ...(value.cpuRatio !== undefined ? { measuredCpu: value.cpuRatio } : {}), ok: reasons.length === 0, ...(reasons.length ? { reason: reasons.join('; ') } : {}) };
  });
  return { baseline: path, tolerance: baseline.tolerance, cpuTolerance: baseline.cpuTolerance, ok: checks.every((c) => c.ok), checks };
}

/** The groups of the rows that failed, to be measured once more. */
export function failedGroups(check: QuickCheck): string[] {
  return [...new Set(check.checks.filter((c) => !c.ok).map((c) => c.group))];
}
