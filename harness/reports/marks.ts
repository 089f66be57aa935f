// The short marks both matrix views put in a cell beside passed/ran.
import type { OutcomeCounts } from '../results/model.ts';

export interface Mark {
  readonly symbol: string;
  readonly label: string;
  readonly count: number;
}

export const MARK_LEGEND: readonly { readonly symbol: string; readonly label: string }[] = [
  { symbol: '✗', label: 'failed' },
  { symbol: '⏱', label: 'timed out' },
  { symbol: '‼', label: 'unexpected pass (stale known-failure entry)' },
  { symbol: '⚑', label: 'expected failure (suites/known-failures.json)' },
  { symbol: '↻', label: 'retries (suites/known-flaky.json or --retries)' },
  { symbol: '⊘', label: 'skipped' },
];

export function marks(counts: OutcomeCounts, retries: number): Mark[] {
  const values = [counts.fail, counts.timeout, counts['unexpected-pass'], counts['expected-failure'], retries, counts.skipped];
  return MARK_LEGEND.map((entry, i) => ({ ...entry, count: values[i] ?? 0 })).filter((m) => m.count > 0);
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m ${seconds}s` : `${seconds}s`;
}
