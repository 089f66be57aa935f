// The cross product: computed from each side's declared capabilities, never written out by hand.
// A cell exists wherever a client offer and a server offer share transport, protocol and socket,
// for every implementation under test and every release of every reference peer in the run.
import { DEFAULT_SOCKET, type Cell, type Family, type Offer } from './axes.ts';
import type { ImplementationCapabilities } from '../contract/capabilities.ts';
import type { PeerRelease } from '../docker/peers.ts';

function sameWay(a: Offer, b: Offer): boolean {
  return a.transport === b.transport && a.protocol === b.protocol && (a.socket ?? DEFAULT_SOCKET) === (b.socket ?? DEFAULT_SOCKET);
}

/** Every cell in which a TypeScript implementation meets a reference peer release, both directions. */
export function crossCells(family: Family, implementations: readonly ImplementationCapabilities[], releases: readonly PeerRelease[]): Cell[] {
  const cells: Cell[] = [];
  for (const ts of implementations.filter((c) => c.family === family)) {
    for (const release of releases.filter((r) => r.peer.family === family)) {
      const peer = release.peer.id;
      const common = { family, peer, version: release.version, implementation: ts.id } as const;
      for (const client of ts.client) {
        for (const server of release.server.filter((s) => sameWay(client, s))) {
          cells.push({
            ...common, direction: 'ts-client', client: ts.id, server: peer,
            transport: server.transport, protocol: server.protocol, socket: server.socket ?? DEFAULT_SOCKET, serverKind: server.serverKind ?? 'default',
          });
        }
      }
      for (const server of ts.server) {
        for (const _client of release.client.filter((c) => sameWay(c, server))) {
          cells.push({
            ...common, direction: 'ts-server', client: peer, server: ts.id,
            transport: server.transport, protocol: server.protocol, socket: server.socket ?? DEFAULT_SOCKET, serverKind: server.serverKind ?? 'default',
          });
        }
      }
    }
  }
  return cells;
}

/** The reference peer's offer a cell was made from (its server offer in ts-client cells, its client offer in ts-server cells). */
export function peerOfferOf(cell: Cell, release: PeerRelease): Offer | undefined {
  if (cell.direction === 'ts-client') return release.server.find((o) => sameWay(o, cell) && (o.serverKind ?? 'default') === cell.serverKind);
  return release.client.find((o) => sameWay(o, cell));
}

/** A filter over the axes; every given field must match exactly. */
export type CellFilter = Partial<Record<Exclude<keyof Cell, 'family'>, string>> & { family?: Family };

export function matchesFilter(cell: Cell, filter: CellFilter): boolean {
  return Object.entries(filter).every(([axis, value]) => value === undefined || cell[axis as keyof Cell] === value);
}

/** The filter the CLI hands to the test run through the environment (CONFORMANCE_FILTER, JSON). */
export function filterFromEnv(): CellFilter {
  const raw = process.env['CONFORMANCE_FILTER'];
  return raw ? (JSON.parse(raw) as CellFilter) : {};
}
