// What each conformance test file of a run weighs, from the run's own selection: the cells and
// cases `list` prints for the same filter, releases and case glob (harness/cli/catalogue.ts). A
// slice file weighs its slice of its family (the same partition define-slice.ts takes); another
// file of a family's folder (hostile, data files) an equal share of that family; a file outside
// every family folder (the self-checks) nothing. Used to deal files to CI jobs (sequencer.ts).
import { listCells } from '../cli/catalogue.ts';
import type { Family } from '../matrix/axes.ts';
import { filterFromEnv } from '../matrix/cells.ts';
import { SUITE_FOLDERS } from '../matrix/families.ts';
import type { Weighed } from '../matrix/shards.ts';
import { partition, weightOf } from '../matrix/slices.ts';
import { ENV, versionSelection } from '../results/run-options.ts';

const SLICE_FILE = /\/slice-(\d+)\.test\.ts$/;

function familyOf(path: string): Family | undefined {
  return (Object.entries(SUITE_FOLDERS) as [Family, string][]).find(([, folder]) => path.startsWith(folder))?.[0];
}

/** Weights of the given files (paths relative to the repository root). */
export async function conformanceFileWeights(paths: readonly string[]): Promise<Weighed[]> {
  // No known-failure matching: only the number of cases counts here (and matching is most of list's time).
  const listed = await listCells(filterFromEnv(), { caseGlob: process.env[ENV.caseGlob], versions: versionSelection(), knownFailures: [] });
  return paths.map((path) => {
    const family = familyOf(path);
    if (!family) return { key: path, weight: 0 };
    const cells = listed.filter((c) => c.cell.family === family);
    const siblings = paths.filter((p) => familyOf(p) === family);
    const slice = SLICE_FILE.exec(path);
    if (!slice) return { key: path, weight: Math.ceil(weightOf(cells) / siblings.length) };
    const slices = siblings.filter((p) => SLICE_FILE.test(p)).length;
    return { key: path, weight: weightOf(partition(cells, slices)[Number(slice[1]) - 1] ?? []) };
  });
}
