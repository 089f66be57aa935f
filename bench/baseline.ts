// The quick mode's regression check: each row's median ratio (ours / the Java reference, measured
// in the same run) against the committed baseline. Ratios, never absolute times, so a slower or
// busier machine does not fail it; the tolerance is wide, so only a large regression does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/docker/peers.ts';
import type { BenchReport, QuickCheck } from './report.ts';
import { summarize } from './stats.ts';

export const DEFAULT_BASELINE = join(REPO_ROOT, 'bench', 'baseline.json');

/**
 * A row fails when its median CPU ratio falls below baseline × cpuTolerance (calls per CPU-second:
 * hardly moved by other load), or its median rate ratio below baseline × tolerance (wall time:
 * noisy on a shared machine, so only a collapse such as a Nagle stall fails it).
 */
export const DEFAULT_TOLERANCE = 0.2;
export const DEFAULT_CPU_TOLERANCE = 0.3;

export interface BaselineRow {
  readonly ratio: number;
  readonly cpuRatio?: number;
}

export interface BaselineFile {
  readonly description: string;
  readonly measured: string;
  readonly tolerance: number;
  readonly cpuTolerance: number;
  /** "<group id> <row name>" -> median ratios. */
  readonly rows: Readonly<Record<string, BaselineRow>>;
}

export function rowKey(group: string, row: string): string {
  return `${group} ${row}`;
}

/** The rows of ours with a ratio, as the baseline keys them. */
export function ourRatios(report: BenchReport): Map<string, BaselineRow> {
  const out = new Map<string, BaselineRow>();
  for (const group of report.groups) {
    for (const row of group.rows) {
      if (row.impl === 'ours' && row.ratio && (row.kind === 'client' || row.kind === 'server')) {
        out.set(rowKey(group.id, row.name), { ratio: row.ratio.median, ...(row.cpuRatio ? { cpuRatio: row.cpuRatio.median } : {}) });
      }
    }
  }
  return out;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Writes the baseline from one or more quick runs: per row, the median of the runs' medians. */
export function writeBaseline(path: string, ...reports: BenchReport[]): void {
  const runs = reports.map(ourRatios);
  const keys = [...new Set(runs.flatMap((r) => [...r.keys()]))].sort();
  const median = (values: number[]): number | undefined => summarize(values)?.median;
  const rows = Object.fromEntries(keys.flatMap((k) => {
    const ratio = median(runs.map((r) => r.get(k)?.ratio).filter((v): v is number => v !== undefined));
    const cpuRatio = median(runs.map((r) => r.get(k)?.cpuRatio).filter((v): v is number => v !== undefined));
    return ratio === undefined ? [] : [[k, { ratio: round2(ratio), ...(cpuRatio !== undefined ? { cpuRatio: round2(cpuRatio) } : {}) }]];
  }));
  const file: BaselineFile = {
    description: 'npm run bench -- --quick: median ratios ours / Java per row, of calls per second and of calls per CPU-second (bench/README.md), the median over the quick runs listed in "measured". A row fails below cpuRatio x cpuTolerance or ratio x tolerance. Rewrite with: node bench/write-baseline.ts reports/bench-a.json reports/bench-b.json reports/bench-c.json (or npm run bench -- --quick --write-baseline for one run)',
    measured: reports.map((r) => r.run.started).join(', '), tolerance: DEFAULT_TOLERANCE, cpuTolerance: DEFAULT_CPU_TOLERANCE, rows,
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function checkBaseline(path: string, report: BenchReport): QuickCheck {
  const baseline = JSON.parse(readFileSync(path, 'utf8')) as BaselineFile;
  const measured = ourRatios(report);
  const errors = new Map<string, string>();
  for (const group of report.groups) for (const row of group.rows) if (row.error) errors.set(rowKey(group.id, row.name), row.error);
  const checks = Object.entries(baseline.rows).map(([row, expected]) => {
    const value = measured.get(row);
    const base = { row, baseline: expected.ratio, ...(expected.cpuRatio !== undefined ? { baselineCpu: expected.cpuRatio } : {}) };
    if (value === undefined) return { ...base, ok: false, reason: `not measured${errors.has(row) ? `: ${errors.get(row)}` : ''}` };
    const reasons: string[] = [];
    const wallFloor = expected.ratio * baseline.tolerance;
    if (value.ratio < wallFloor) reasons.push(`median ratio ${value.ratio.toFixed(2)} is below ${wallFloor.toFixed(2)} (baseline ${expected.ratio.toFixed(2)} x ${baseline.tolerance})`);
    if (expected.cpuRatio !== undefined) {
      const cpuFloor = expected.cpuRatio * baseline.cpuTolerance;
      if (value.cpuRatio === undefined) reasons.push('no CPU ratio measured');
      else if (value.cpuRatio < cpuFloor) reasons.push(`median CPU ratio ${value.cpuRatio.toFixed(2)} is below ${cpuFloor.toFixed(2)} (baseline ${expected.cpuRatio.toFixed(2)} x ${baseline.cpuTolerance})`);
    }
    return { ...base, measured: value.ratio, ...(value.cpuRatio !== undefined ? { measuredCpu: value.cpuRatio } : {}), ok: reasons.length === 0, ...(reasons.length ? { reason: reasons.join('; ') } : {}) };
  });
  return { baseline: path, tolerance: baseline.tolerance, cpuTolerance: baseline.cpuTolerance, ok: checks.every((c) => c.ok), checks };
}
