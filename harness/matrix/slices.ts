// Splits a family's cells over its suite files (suites/<family>/slice-N.test.ts), so that vitest
// can run them side by side and shard them over CI jobs. Deterministic: the same plan always gives
// the same slices. Cells of one peer release, direction, transport and socket stay together (they
// share a peer container), and the groups are dealt greedily by weight (cases, plus a fixed cost
// per cell) to the lightest slice.
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cell } from './axes.ts';

export interface Sliceable {
  readonly cell: Cell;
  readonly cases: readonly unknown[];
}

const CELL_COST = 8;

/** What a set of cells weighs for scheduling: its cases, plus a fixed cost per cell. */
export function weightOf(items: readonly Sliceable[]): number {
  return items.reduce((sum, item) => sum + item.cases.length + CELL_COST, 0);
}

function groupKey(cell: Cell): string {
  return [cell.peer, cell.version, cell.direction, cell.transport, cell.socket].join('|');
}

export function partition<T extends Sliceable>(items: readonly T[], count: number): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupKey(item.cell);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const weighted = [...groups.entries()]
    .map(([key, members]) => ({ key, members, weight: weightOf(members) }))
    .sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key));
  const slices = Array.from({ length: count }, () => ({ weight: 0, members: [] as T[] }));
  for (const group of weighted) {
    const lightest = slices.reduce((best, slice) => (slice.weight < best.weight ? slice : best));
    lightest.weight += group.weight;
    lightest.members.push(...group.members);
  }
  return slices.map((s) => s.members);
}

/** "slice-2.test.ts" among slice-1..4 in its folder: index 2 of 4 (1-based). */
export function sliceOf(moduleUrl: string): { index: number; count: number } {
  const file = fileURLToPath(moduleUrl);
  const match = /^slice-(\d+)\.test\.ts$/.exec(basename(file));
  if (!match?.[1]) throw new Error(`${file}: a slice file must be named slice-<n>.test.ts`);
  const count = readdirSync(dirname(file)).filter((name) => /^slice-\d+\.test\.ts$/.test(name)).length;
  return { index: Number(match[1]), count };
}
