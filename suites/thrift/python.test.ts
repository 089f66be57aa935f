// Thrift: our TypeScript implementation against the reference Python peer, both directions.
import { defineCellSuites } from '../../harness/vitest/define-cells.ts';
import { thriftCellsOf, thriftDriver } from './cells.ts';

const { cells, peer } = thriftCellsOf('python');
if (peer) defineCellSuites({ cells, driver: thriftDriver, peerFor: () => peer });
