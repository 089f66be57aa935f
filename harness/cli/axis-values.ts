// Every value each axis can take in this checkout: the cells of every family over every
// implementation and every peer release. A filter value that is not among them selects nothing by
// construction, so the CLI stops with the valid values and the nearest one ("did you mean").
import { CELL_AXES, FAMILIES, type Cell } from '../matrix/axes.ts';
import { crossCells, type CellFilter } from '../matrix/cells.ts';
import { RPC_CATALOGUES } from '../matrix/families.ts';
import type { LoadedImplementation } from '../contract/load.ts';
import { knownVersionWords, loadPeers, selectReleases } from '../docker/peers.ts';
// [datafile] the data-file matrix's cells come from its suite.
import { ALL_PARTICIPANTS, datafileCells } from '../../suites/datafile/cells.ts';
import { schemaFiles } from '../../suites/datafile/sets.ts';
// [hostile] and the hostile family's from its suite.
import { hostileCells } from '../../suites/hostile/cells.ts';

export type AxisValues = ReadonlyMap<keyof Cell, ReadonlySet<string>>;

export function axisValues(implementations: readonly LoadedImplementation[], extraCells: readonly Cell[] = []): AxisValues {
  const releases = selectReleases(loadPeers(), 'all');
  const cells: Cell[] = [
    ...RPC_CATALOGUES.flatMap((c) => crossCells(c.family, implementations.map((i) => i.capabilities), releases)),
    ...datafileCells(ALL_PARTICIPANTS, schemaFiles()).map((d) => d.cell),
    ...hostileCells(releases, { profile: 'full' }).map((h) => h.cell),
    ...extraCells,
  ];
  const values = new Map<keyof Cell, Set<string>>(CELL_AXES.map((axis) => [axis, new Set<string>()]));
  for (const family of FAMILIES) values.get('family')?.add(family);
  for (const cell of cells) for (const axis of CELL_AXES) values.get(axis)?.add(String(cell[axis]));
  return values;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { word: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || score < best.score) best = { word: candidate, score };
  }
  return best && best.score <= Math.max(2, Math.floor(word.length / 3)) ? best.word : undefined;
}

function unknownValue(flag: string, value: string, known: Iterable<string>): string {
  const list = [...known].sort();
  const guess = nearest(value, list);
  return `--${flag} ${value}: no such value${guess ? ` (did you mean "${guess}"?)` : ''}; valid values: ${list.join(', ')}`;
}

/** Problems with the filter's values (empty when every value exists somewhere in the matrix). */
export function filterProblems(filter: CellFilter, values: AxisValues, flagOf: (axis: keyof Cell) => string): string[] {
  const problems: string[] = [];
  for (const [axis, value] of Object.entries(filter) as [keyof Cell, string | undefined][]) {
    if (value === undefined) continue;
    const known = values.get(axis) ?? new Set<string>();
    if (!known.has(value)) problems.push(unknownValue(flagOf(axis), value, known));
  }
  return problems;
}

/** Problems with a --versions value: every item must name a release some peer declares. */
export function versionProblems(selection: string | undefined): string[] {
  if (!selection) return [];
  const words = knownVersionWords(loadPeers());
  return selection.split(',').map((s) => s.trim()).filter((item) => item && !words.includes(item))
    .map((item) => unknownValue('versions', item, words));
}
