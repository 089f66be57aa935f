// The Thrift cells: our capabilities crossed with every Thrift peer's peer.json, and the driver
// that runs a case in a cell (our client against a peer server, or our server for a peer client).
import { readFileSync } from 'node:fs';
import type { Capabilities, Cell } from '../../harness/matrix/axes.ts';
import { crossCells, filterFromEnv, matchesFilter } from '../../harness/matrix/cells.ts';
import { peersOf, type PeerDescriptor } from '../../harness/docker/peers.ts';
import type { CellDriver, TsServer } from '../../harness/vitest/define-cells.ts';
import { LOOPBACK } from '../../harness/net/ports.ts';
import { startThriftServer } from '../../impls/thrift/server.ts';
import { MultiplexedProcessor } from '../../impls/thrift/multiplexed-processor.ts';
import { generated, type Processor } from '../../impls/thrift/runtime.ts';
import { protocolPair } from '../../impls/thrift/protocols.ts';
import { casesForCell, loadCases, type ThriftCase } from './cases.ts';
import { runClientCase } from './client-procedures.ts';
import { conformanceHandler, secondaryHandler } from './handler.ts';

export function ourCapabilities(): Capabilities {
  return JSON.parse(readFileSync(new URL('../../impls/thrift/capabilities.json', import.meta.url), 'utf8')) as Capabilities;
}

/** The cells of one peer (by peer.json id), after the CLI's filter. */
export function thriftCellsOf(peerId: string): { cells: Cell[]; peer: PeerDescriptor | undefined } {
  const peer = peersOf('thrift').find((p) => p.id === peerId);
  if (!peer) return { cells: [], peer };
  const filter = filterFromEnv();
  return { cells: crossCells('thrift', [ourCapabilities()], [peer]).filter((cell) => matchesFilter(cell, filter)), peer };
}

function processorFor(protocol: string): Processor {
  const conformance = new generated.Conformance.Processor(conformanceHandler());
  if (!protocolPair(protocol).multiplexed) return conformance;
  return new MultiplexedProcessor()
    .register('Conformance', conformance)
    .register('Secondary', new generated.Secondary.Processor(secondaryHandler()));
}

export const thriftDriver: CellDriver<ThriftCase> = {
  cases: (cell) => casesForCell(loadCases(), cell),
  runClientCase,
  async startServer(cell, port, recorders): Promise<TsServer> {
    const rejected: string[] = [];
    const server = await startThriftServer({
      transport: cell.transport as 'buffered' | 'framed' | 'http', protocol: cell.protocol, host: LOOPBACK, port,
      processor: processorFor(cell.protocol), onReject: (reason) => rejected.push(reason), recorders,
    });
    return {
      port: server.port,
      // Rejections are expected in error-path cases; the peer client's TAP line judges the case.
      problemsFor: () => [],
      close: () => server.close(),
    };
  },
};
