// What a run covers in one RPC family: every cell (crossCells over the implementations under test
// and the peer releases of the run, narrowed by the axis filter) with the cases that run in it
// (the one case filter, harness/matrix/case-filter.ts). `list` prints this; the suites run it.
import type { Cell } from './axes.ts';
import { scopeKey, scopeRank, selectCases, type CatalogueCase, type SelectedCase } from './case-filter.ts';
import { crossCells, matchesFilter, peerOfferOf, type CellFilter } from './cells.ts';
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
  return keepScopedCasesOnce(planned);
}

/** A case with a scope runs in one cell of each group of cells its scope cannot tell apart. */
function keepScopedCasesOnce<C extends CatalogueCase>(planned: PlannedCell<C>[]): PlannedCell<C>[] {
  const chosen = new Map<string, { rank: number[]; cell: PlannedCell<C> }>();
  const rankOf = (p: PlannedCell<C>): number[] => {
    const offers = p.cell.direction === 'ts-client' ? p.release.server : p.implementation.server;
    const clients = p.cell.direction === 'ts-client' ? p.implementation.client : p.release.client;
    const transports = [...new Set([...clients, ...offers].map((o) => o.transport))];
    const kinds = [...new Set(offers.map((o) => o.serverKind ?? 'default'))];
    return scopeRank(p.cell, transports, kinds);
  };
  const earlier = (a: number[], b: number[]): boolean => {
    for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
    return false;
  };
  // Each case's key, made once: the keys are strings of a dozen parts, made for every case of every cell.
  const keyed = planned.map((p) => {
    const codec = peerOfferOf(p.cell, p.release)?.codec;
    return { p, keys: p.cases.map(({ testCase }) => scopeKey(testCase, p.cell, codec)) };
  });
  for (const { p, keys } of keyed) {
    const rank = rankOf(p);
    for (const key of keys) {
      if (key === undefined) continue;
      const current = chosen.get(key);
      if (!current || earlier(rank, current.rank)) chosen.set(key, { rank, cell: p });
    }
  }
  return keyed
    .map(({ p, keys }) => ({ ...p, cases: p.cases.filter((_, i) => {
      const key = keys[i];
      return key === undefined || chosen.get(key)?.cell === p;
    }) }))
    .filter((p) => p.cases.length > 0);
}

