// Thrift: our TypeScript implementation against the reference Java peer, both directions.
import { defineCellSuites } from '../../harness/vitest/define-cells.ts';
import { thriftCellsOf, thriftDriver } from './cells.ts';

const { cells, peer } = thriftCellsOf('java');
if (peer) defineCellSuites({ cells, driver: thriftDriver, peerFor: () => peer });
