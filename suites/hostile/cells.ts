// The hostile family's cells and, per cell, its cases, selected by the common axis filter and
// case glob like every other family (the suite and the CLI's `list` both use this):
//   ts-server   hostile -> ours        our servers, each transport x protocol, in a child process
//   ts-client   ours -> hostile        our clients against the fake server, each transport x protocol
//   references  hostile -> <peer>      each reference release's servers (their transport x protocol
//                                      offers on TCP), as the other families start them (server plans)
import { readFileSync } from 'node:fs';
import type { CaseCoordinates, Cell, Offer } from '../../harness/matrix/axes.ts';
import { matchesFilter, type CellFilter } from '../../harness/matrix/cells.ts';
import type { PeerRelease } from '../../harness/docker/peers.ts';
import { loadCatalogue, profile as runProfile, type Catalogue, type ClientCase, type HostileCase, type Profile, type Rpc, type RpcCells, type ServerCase } from './catalogue.ts';

export const OURS = 'ours';
export const HOSTILE = 'hostile';
export const FAKE_SERVER_KIND = 'fake';

export interface PlannedCase {
  readonly testCase: HostileCase;
  readonly coordinates: CaseCoordinates;
  /** Why this case does not run in this cell (a visible skip, never a silent one). */
  readonly skip?: string;
}

export interface HostileCell {
  readonly cell: Cell;
  readonly rpc: Rpc;
  /** The reference release of a references cell. */
  readonly release?: PeerRelease;
  readonly cases: readonly PlannedCase[];
}

function oursServerCell(transport: string, protocol: string): Cell {
  return {
    family: 'hostile', direction: 'ts-server', client: HOSTILE, server: OURS, peer: HOSTILE, version: '', implementation: OURS,
    transport, protocol, socket: 'tcp', serverKind: OURS,
  };
}

function oursClientCell(transport: string, protocol: string): Cell {
  return {
    family: 'hostile', direction: 'ts-client', client: OURS, server: HOSTILE, peer: HOSTILE, version: '', implementation: OURS,
    transport, protocol, socket: 'tcp', serverKind: FAKE_SERVER_KIND,
  };
}

function referenceCell(release: PeerRelease, transport: string, protocol: string, serverKind: string): Cell {
  return {
    family: 'hostile', direction: 'references', client: HOSTILE, server: release.peer.id, peer: release.peer.id, version: release.version,
    implementation: 'none', transport, protocol, socket: 'tcp', serverKind,
  };
}

function applies(testCase: HostileCase, rpc: Rpc, transport: string, protocol: string): boolean {
  return testCase.rpc === rpc
    && (testCase.transports === undefined || testCase.transports.includes(transport))
    && (testCase.protocols === undefined || testCase.protocols.includes(protocol));
}

function profileSkip(needed: Profile | undefined, running: Profile, what: string): string | undefined {
  return needed === 'full' && running !== 'full'
    ? `${what} runs in the full profile only (CONFORMANCE_HOSTILE_PROFILE=full): it is large or waits on timeouts`
    : undefined;
}

/** Our implementation's offers (impls/<folder>/capabilities.json), on TCP, within the family's transports and protocols. */
function oursOffers(offered: RpcCells): { server: Offer[]; client: Offer[] } {
  const capabilities = JSON.parse(readFileSync(new URL(`../../impls/${offered.implementation}/capabilities.json`, import.meta.url), 'utf8')) as { server: Offer[]; client: Offer[] };
  const wanted = (o: Offer): boolean => (o.socket ?? 'tcp') === 'tcp' && offered.transports.includes(o.transport) && offered.protocols.includes(o.protocol);
  const unique = (offers: Offer[]): Offer[] => [...new Map(offers.filter(wanted).map((o) => [`${o.transport} ${o.protocol}`, o])).values()];
  return { server: unique(capabilities.server), client: unique(capabilities.client) };
}

export interface CellOptions {
  readonly filter?: CellFilter;
  readonly caseMatches?: (id: string) => boolean;
  readonly profile?: Profile;
  readonly catalogue?: Catalogue;
}

/**
 * Every hostile cell the filter selects, with the cases the case test accepts (cells without a
 * case are dropped). `releases`: the reference releases available to this run.
 */
export function hostileCells(releases: readonly PeerRelease[], options: CellOptions = {}): HostileCell[] {
  const catalogue = options.catalogue ?? loadCatalogue();
  const filter = options.filter ?? {};
  const caseMatches = options.caseMatches ?? (() => true);
  const running = options.profile ?? runProfile();
  const cells: HostileCell[] = [];
  const add = (cell: Cell, rpc: Rpc, release: PeerRelease | undefined, plan: (c: HostileCase) => PlannedCase | undefined): void => {
    if (!matchesFilter(cell, filter)) return;
    const cases = catalogue.cases.filter((c) => caseMatches(c.id) && applies(c, rpc, cell.transport, cell.protocol)).map(plan).filter((p) => p !== undefined);
    if (cases.length > 0) cells.push({ cell, rpc, ...(release ? { release } : {}), cases });
  };
  const planned = (cell: Cell, testCase: HostileCase, skip: string | undefined): PlannedCase => ({
    testCase, coordinates: { ...cell, case: testCase.id }, ...(skip !== undefined ? { skip } : {}),
  });
  for (const [rpc, offered] of Object.entries(catalogue.cells) as [Rpc, RpcCells][]) {
    const ours = oursOffers(offered);
    for (const offer of ours.server) {
      const server = oursServerCell(offer.transport, offer.protocol);
      add(server, rpc, undefined, (c) => (c.target === 'server' ? planned(server, c, profileSkip(c.profile, running, 'this case')) : undefined));
    }
    for (const offer of ours.client) {
      const client = oursClientCell(offer.transport, offer.protocol);
      add(client, rpc, undefined, (c) => (c.target === 'client' ? planned(client, c, profileSkip(c.profile, running, 'this case')) : undefined));
    }
    for (const release of releases.filter((r) => r.peer.family === rpc && offered.references.includes(r.peer.folder))) {
      for (const offer of release.server) {
        if ((offer.socket ?? 'tcp') !== 'tcp' || !offered.transports.includes(offer.transport) || !offered.protocols.includes(offer.protocol)) continue;
        const cell = referenceCell(release, offer.transport, offer.protocol, offer.serverKind ?? 'default');
        const fullOnly = offered.fullProfileReferences?.includes(release.peer.folder) ?? false;
        add(cell, rpc, release, (c) => {
          if (c.target !== 'server') return undefined;
          const skip = referenceSkip(c, running) ?? profileSkip(fullOnly ? 'full' : undefined, running, `against ${release.peer.folder} (${release.server.length} server offers)`);
          return planned(cell, c, skip);
        });
      }
    }
  }
  return cells;
}

function referenceSkip(testCase: ServerCase, running: Profile): string | undefined {
  if (testCase.references?.skip) return testCase.references.skip;
  return profileSkip(testCase.profile, running, 'this case') ?? profileSkip(testCase.references?.profile, running, 'against a reference server, this case');
}

export function isServerCase(c: HostileCase): c is ServerCase {
  return c.target === 'server';
}

export function isClientCase(c: HostileCase): c is ClientCase {
  return c.target === 'client';
}
