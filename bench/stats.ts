// Summaries of repeated measurements: min, median and max, and ratios taken round by round, so
// that two contenders are only ever compared within the same round (the same machine load).

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly n: number;
}

export function summarize(values: readonly number[]): Summary | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[n - 1] as number, n };
}

/** Per-round ratios a[r] / b[r] over the rounds both have (keyed by round number). */
export function roundRatios(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (const [round, value] of a) {
    const other = b.get(round);
    if (other !== undefined && other > 0) out.push(value / other);
  }
  return out;
}

/** The order of round r: the list rotated by r, so that no contender always runs first or last. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
