// What `list` prints: the cells (crossCells over impls/*/capabilities.json and containers/*/peer.json)
// and, per cell, the cases of suites/<family>/data/cases.json that apply to it; for the data-file
// matrix (family avro-datafile), the cells and cases suites/datafile defines. Starts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../docker/peers.ts';
import type { Cell, Family } from '../matrix/axes.ts';
import { crossCells, matchesFilter, type CellFilter } from '../matrix/cells.ts';
import { knownFailureFor, loadKnownFailures, type KnownFailure } from '../matrix/known-failures.ts';
import { loadImplementations, loadReferencePeers } from '../results/references.ts';
// [datafile] the data-file matrix's cells are computed by its suite, not crossed from capabilities.
import { ALL_PARTICIPANTS, datafileCells } from '../../suites/datafile/cells.ts';
import { schemaFiles } from '../../suites/datafile/sets.ts';
import { globRegExp } from '../matrix/glob.ts';

/** The fields of a catalogue case that restrict where it runs (both families use these names). */
export interface CatalogueCase {
  readonly id: string;
  readonly kind?: string;
  /** Avro: the protocol file, which is also the matrix's protocol axis. */
  readonly protocol?: string;
  readonly protocols?: readonly string[];
  readonly directions?: readonly string[];
  readonly transports?: readonly string[];
}

export interface ListedCase {
  readonly id: string;
  readonly kind?: string;
  readonly knownFailure?: string;
}

export interface ListedCell {
  readonly cell: Cell;
  readonly cases: readonly ListedCase[];
}

/** The families whose cells come from capabilities and a cases.json; the data-file matrix is listed apart. */
export const FAMILIES: readonly Family[] = ['avro', 'thrift'];

export function loadCatalogue(family: Family): CatalogueCase[] {
  const path = join(REPO_ROOT, 'suites', family, 'data', 'cases.json');
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: CatalogueCase[] }).cases;
}

/** The same restrictions the suites' drivers apply (suites/avro/catalogue.ts, suites/thrift/cases.ts). */
export function appliesTo(c: CatalogueCase, cell: Cell): boolean {
  return (c.protocol === undefined || c.protocol === cell.protocol)
    && (!c.protocols || c.protocols.includes(cell.protocol))
    && (!c.directions || c.directions.includes(cell.direction))
    && (!c.transports || c.transports.includes(cell.transport));
}


/** The data-file matrix (suites/datafile/cells.ts) with every participant it knows, whether or not its image exists. */
function listDatafileCells(filter: CellFilter, glob: RegExp | undefined, knownFailures: readonly KnownFailure[]): ListedCell[] {
  if (filter.family && filter.family !== 'avro-datafile') return [];
  return datafileCells(ALL_PARTICIPANTS, schemaFiles(), filter, (id) => !glob || glob.test(id)).map(({ cell, cases }) => ({
    cell,
    cases: cases.map((c) => {
      const known = knownFailureFor(c.coordinates, [...knownFailures]);
      return { id: c.coordinates.case, kind: c.kind, ...(known ? { knownFailure: known.id } : {}) };
    }),
  }));
}

export function listCells(filter: CellFilter, caseGlob?: string, knownFailures: readonly KnownFailure[] = loadKnownFailures()): ListedCell[] {
  const ours = loadImplementations();
  const peers = loadReferencePeers();
  const glob = caseGlob ? globRegExp(caseGlob) : undefined;
  const rpc = FAMILIES.flatMap((family) => {
    const catalogue = loadCatalogue(family);
    return crossCells(family, ours, peers)
      .filter((cell) => matchesFilter(cell, filter))
      .map((cell) => ({
        cell,
        cases: catalogue.filter((c) => appliesTo(c, cell) && (!glob || glob.test(c.id))).map((c) => {
          const known = knownFailureFor({ ...cell, case: c.id }, [...knownFailures]);
          return { id: c.id, ...(c.kind ? { kind: c.kind } : {}), ...(known ? { knownFailure: known.id } : {}) };
        }),
      }))
      .filter((listed) => listed.cases.length > 0);
  });
  return [...rpc, ...listDatafileCells(filter, glob, knownFailures)];
}
