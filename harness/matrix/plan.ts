// What a run covers in one RPC family: every cell (crossCells over the implementations under test
// and the peer releases of the run, narrowed by the axis filter) with the cases that run in it
// (the one case filter, harness/matrix/case-filter.ts). `list` prints this; the suites run it.
import type { Cell } from './axes.ts';
import { selectCases, type CatalogueCase, type SelectedCase } from './case-filter.ts';
import { crossCells, matchesFilter, type CellFilter } from './cells.ts';
import type { ImplementationCapabilities } from '../contract/capabilities.ts';
import type { PeerRelease } from '../docker/peers.ts';

/** A family's catalogue and its feature rules: light, importable by the CLI without the drivers. */
export interface FamilyCatalogue<C extends CatalogueCase = CatalogueCase> {
  readonly family: 'avro' | 'thrift';
  cases(): readonly C[];
  /** Whether this implementation can run this case kind in this cell (features it declares). */
  supports(c: C, cell: Cell, implementation: ImplementationCapabilities): boolean;
}

export interface PlannedCell<C extends CatalogueCase = CatalogueCase> {
  readonly cell: Cell;
  readonly implementation: ImplementationCapabilities;
  readonly release: PeerRelease;
  readonly cases: readonly SelectedCase<C>[];
}

export interface PlanInput {
  readonly implementations: readonly ImplementationCapabilities[];
  readonly releases: readonly PeerRelease[];
  readonly filter: CellFilter;
  readonly caseGlob?: string | undefined;
}

export function planFamily<C extends CatalogueCase>(catalogue: FamilyCatalogue<C>, input: PlanInput): PlannedCell<C>[] {
  const cases = catalogue.cases();
  const planned: PlannedCell<C>[] = [];
  for (const cell of crossCells(catalogue.family, input.implementations, input.releases)) {
    if (!matchesFilter(cell, input.filter)) continue;
    const implementation = input.implementations.find((i) => i.family === cell.family && i.id === cell.implementation);
    const release = input.releases.find((r) => r.peer.family === cell.family && r.peer.id === cell.peer && r.version === cell.version);
    if (!implementation || !release) continue;
    const selected = selectCases(cases, cell, {
      caseGlob: input.caseGlob, implementation, release,
      supports: (c, at) => catalogue.supports(c, at, implementation),
    });
    if (selected.length > 0) planned.push({ cell, implementation, release, cases: selected });
  }
  return planned;
}
