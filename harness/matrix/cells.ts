// The cross product: computed from each side's declared capabilities, never written out by hand.
import type { Capabilities, Cell, Family } from './axes.ts';

/** Every cell in which a TypeScript implementation meets a reference peer, both directions. */
export function crossCells(family: Family, typescript: readonly Capabilities[], peers: readonly Capabilities[]): Cell[] {
  const cells: Cell[] = [];
  for (const ts of typescript.filter((c) => c.family === family)) {
    for (const peer of peers.filter((c) => c.family === family)) {
      for (const client of ts.client) {
        for (const server of peer.server) {
          if (client.transport !== server.transport || client.protocol !== server.protocol) continue;
          cells.push({
            family, direction: 'ts-client', client: ts.id, server: peer.id, peer: peer.id, implementation: ts.id,
            transport: server.transport, protocol: server.protocol, serverKind: server.serverKind ?? 'default',
          });
        }
      }
      for (const server of ts.server) {
        for (const client of peer.client) {
          if (client.transport !== server.transport || client.protocol !== server.protocol) continue;
          cells.push({
            family, direction: 'ts-server', client: peer.id, server: ts.id, peer: peer.id, implementation: ts.id,
            transport: server.transport, protocol: server.protocol, serverKind: server.serverKind ?? 'default',
          });
        }
      }
    }
  }
  return cells;
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
