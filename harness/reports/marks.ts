// What the views write beside a count: the interoperating share, the marks, the legend, and the
// one summary line per implementation-peer pair. matrix-page.js writes the same texts in the
// browser (its filters re-add the cells); the browser test checks the two agree.
import type { Tally } from './aggregate.ts';

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

export function marks(tally: Tally): Mark[] {
  const c = tally.counts;
  const values = [c.fail, c.timeout, c['unexpected-pass'], c['expected-failure'], tally.retries, c.skipped];
  return MARK_LEGEND.map((entry, i) => ({ ...entry, count: values[i] ?? 0 })).filter((m) => m.count > 0);
}

export function marksText(tally: Tally): string {
  return marks(tally).map((m) => `${m.symbol}${m.count}`).join(' ');
}

/** The share of the cases that ran which interoperate, rounded down so that only all of them reads 100%. */
export function shareText(tally: Pick<Tally, 'interoperating' | 'ran'>): string {
  if (tally.ran === 0) return '—';
  if (tally.interoperating === tally.ran) return '100%';
  const tenths = Math.floor((tally.interoperating / tally.ran) * 1000);
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}%`;
}

/** Markdown has no colour: a square per band, the legend gives the bands. */
export const SHARE_BANDS: readonly { readonly symbol: string; readonly label: string; readonly min: number }[] = [
  { symbol: '🟩', label: 'all cases interoperate', min: 1 },
  { symbol: '🟨', label: '90% or more', min: 0.9 },
  { symbol: '🟧', label: '50% to 90%', min: 0.5 },
  { symbol: '🟥', label: 'under 50%', min: 0 },
];
export const NOTHING_RAN = { symbol: '⬜', label: 'no case ran' } as const;

export function shareSymbol(tally: Pick<Tally, 'interoperating' | 'ran'>): string {
  if (tally.ran === 0) return NOTHING_RAN.symbol;
  const share = tally.interoperating / tally.ran;
  return (SHARE_BANDS.find((band) => share >= band.min) ?? SHARE_BANDS[SHARE_BANDS.length - 1])?.symbol ?? '';
}

export function gateText(tally: Pick<Tally, 'gateFailures'>): string {
  return tally.gateFailures === 0 ? 'gate ok' : `gate ✗${tally.gateFailures}`;
}

/** "ts-client 4, ts-server 4" style counts of a list of values, in first-seen order. */
function countsOf(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${value} ${n}`).join(', ');
}

/**
 * One line per implementation-peer pair, e.g.
 * "avsc5 ↔ python: 10/105 interoperate (9.5%) · 4 cells (ts-client 2, ts-server 2) · not
 * interoperating: ⚑95 (python-avro-drops-one-way-avsc5-rejects 95) · gate ok".
 */
export function pairLine(row: string, col: string, tally: Tally, directions: readonly string[]): string {
  const c = tally.counts;
  const parts = [`${row} ↔ ${col}: ${tally.interoperating}/${tally.ran} interoperate (${shareText(tally)})`,
    `${directions.length} cell${directions.length === 1 ? '' : 's'} (${countsOf(directions)})`];
  const not: string[] = [];
  if (c['expected-failure'] > 0) {
    const entries = Object.entries(tally.knownFailures).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    not.push(`⚑${c['expected-failure']} (${entries.map(([id, n]) => `${id} ${n}`).join(', ')})`);
  }
  if (c.fail > 0) not.push(`✗${c.fail} failed`);
  if (c.timeout > 0) not.push(`⏱${c.timeout} timed out`);
  if (not.length > 0) parts.push(`not interoperating: ${not.join(', ')}`);
  if (c['unexpected-pass'] > 0) parts.push(`‼${c['unexpected-pass']} unexpected pass`);
  if (c.skipped > 0) parts.push(`⊘${c.skipped} skipped`);
  if (tally.retries > 0) parts.push(`↻${tally.retries} retries`);
  parts.push(gateText(tally));
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m ${seconds}s` : `${seconds}s`;
}
