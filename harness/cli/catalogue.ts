// What `list` prints: the cells and, per cell, the cases that run in it, computed exactly as the
// suites compute them (harness/matrix/plan.ts over the one case filter); for the data-file matrix
// (family avro-datafile), the cells and cases suites/datafile defines; for the hostile family, those
// suites/hostile defines. Starts nothing.
import type { Cell } from '../matrix/axes.ts';
import type { CellFilter } from '../matrix/cells.ts';
import { RPC_CATALOGUES } from '../matrix/families.ts';
import { entriesForCell, knownFailureFor, loadKnownFailures, type KnownFailure } from '../matrix/known-failures.ts';
import { planFamily } from '../matrix/plan.ts';
import { runIds } from '../matrix/case-filter.ts';
import { loadImplementations } from '../contract/load.ts';
import { loadPeers, selectReleases } from '../docker/peers.ts';
import { versionSelection } from '../results/run-options.ts';
// [datafile] the data-file matrix's cells are computed by its suite, not crossed from capabilities.
import { ALL_PARTICIPANTS, datafileCells } from '../../suites/datafile/cells.ts';
import { schemaFiles } from '../../suites/datafile/sets.ts';
import { globRegExp } from '../matrix/glob.ts';
// [hostile] the hostile family's cells are computed by its suite too.
import { hostileCells } from '../../suites/hostile/cells.ts';

export interface ListedCase {
  readonly id: string;
  readonly kind?: string;
  readonly knownFailure?: string;
  /** Declared unrunnable by one side: reported as skipped with this reason. */
  readonly skip?: string;
}

export interface ListedCell {
  readonly cell: Cell;
  readonly cases: readonly ListedCase[];
}

/** The data-file matrix (suites/datafile/cells.ts) with every participant it knows, whether or not its image exists. */
function listDatafileCells(filter: CellFilter, caseGlob: string | undefined, knownFailures: readonly KnownFailure[]): ListedCell[] {
  if (filter.family && filter.family !== 'avro-datafile') return [];
  const glob = caseGlob ? globRegExp(caseGlob) : undefined;
  return datafileCells(ALL_PARTICIPANTS, schemaFiles(), filter, (id) => !glob || glob.test(id)).map(({ cell, cases }) => ({
    cell,
    cases: cases.map((c) => {
      const known = knownFailureFor(c.coordinates, knownFailures);
      return { id: c.coordinates.case, kind: c.kind, ...(known ? { knownFailure: known.id } : {}) };
    }),
  }));
}

/** The hostile family (suites/hostile/cells.ts) over every reference release of the selection. */
function listHostileCells(filter: CellFilter, caseGlob: string | undefined, knownFailures: readonly KnownFailure[], versions: string): ListedCell[] {
  if (filter.family && filter.family !== 'hostile') return [];
  const glob = caseGlob ? globRegExp(caseGlob) : undefined;
  return hostileCells(selectReleases(loadPeers(), versions), { filter, caseMatches: (id) => !glob || glob.test(id) }).map(({ cell, cases }) => {
    const entries = entriesForCell(cell, knownFailures);
    return {
      cell,
      cases: cases.map((c) => {
        const known = knownFailureFor(c.coordinates, entries);
        return { id: c.testCase.id, kind: c.testCase.attack.kind, ...(known ? { knownFailure: known.id } : {}), ...(c.skip !== undefined ? { skip: c.skip } : {}) };
      }),
    };
  });
}

export interface ListOptions {
  readonly caseGlob?: string | undefined;
  readonly knownFailures?: readonly KnownFailure[];
  /** "default", "all", or a list (--versions). */
  readonly versions?: string;
}

export async function listCells(filter: CellFilter, options: ListOptions = {}): Promise<ListedCell[]> {
  const knownFailures = options.knownFailures ?? loadKnownFailures();
  const implementations = (await loadImplementations()).map((i) => i.capabilities);
  const releases = selectReleases(loadPeers(), options.versions ?? versionSelection());
  const rpc = RPC_CATALOGUES
    .filter((catalogue) => !filter.family || filter.family === catalogue.family)
    .flatMap((catalogue) => planFamily(catalogue, { implementations, releases, filter, caseGlob: options.caseGlob }))
    .map(({ cell, cases }) => {
      const entries = entriesForCell(cell, knownFailures);
      return {
        cell,
        cases: cases.map(({ testCase, skip }, i) => {
          const known = knownFailureFor({ ...cell, case: testCase.id }, entries, () => runIds(cases.slice(0, i)));
          return { id: testCase.id, kind: testCase.kind, ...(known ? { knownFailure: known.id } : {}), ...(skip ? { skip } : {}) };
        }),
      };
    });
  return [...rpc, ...listDatafileCells(filter, options.caseGlob, knownFailures), ...listHostileCells(filter, options.caseGlob, knownFailures, options.versions ?? versionSelection())];
}
