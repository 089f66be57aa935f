// The Thrift cells: our capabilities crossed with every Thrift peer's peer.json, and the driver
// that runs a case in a cell (our client against a peer server, or our server for a peer client).
import { readFileSync } from 'node:fs';
import type { Capabilities, Cell } from '../../harness/matrix/axes.ts';
import { crossCells, filterFromEnv, matchesFilter } from '../../harness/matrix/cells.ts';
import { peersOf, type PeerDescriptor } from '../../harness/docker/peers.ts';
import { casesForCell, loadCases, type ThriftCase } from './cases.ts';
import { runClientCase } from './client-procedures.ts';
import { startOurServer } from './our-server.ts';
import type { CellDriver } from '../../harness/vitest/define-cells.ts';

export function ourCapabilities(): Capabilities {
  return JSON.parse(readFileSync(new URL('../../impls/npm-thrift/capabilities.json', import.meta.url), 'utf8')) as Capabilities;
}

/** The cells of one peer (by peer.json id), after the CLI's filter. */
export function thriftCellsOf(peerId: string): { cells: Cell[]; peer: PeerDescriptor | undefined } {
  const peer = peersOf('thrift').find((p) => p.id === peerId);
  if (!peer) return { cells: [], peer };
  const filter = filterFromEnv();
  return { cells: crossCells('thrift', [ourCapabilities()], [peer]).filter((cell) => matchesFilter(cell, filter)), peer };
}

export const thriftDriver: CellDriver<ThriftCase> = {
  cases: (cell) => casesForCell(loadCases(), cell),
  runClientCase,
  startServer: (cell, port, recorders) => startOurServer(cell, port, casesForCell(loadCases(), cell), recorders),
};
