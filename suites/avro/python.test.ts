// Avro RPC: our TypeScript implementation against the Python reference (containers/python-avro).
import { peerByFolder } from '../../harness/docker/peers.ts';
import { defineCellSuites } from '../../harness/vitest/define-cells.ts';
import { avroCells } from './cells.ts';
import { avroDriver } from './driver.ts';

defineCellSuites({ cells: avroCells('python'), driver: avroDriver, peerFor: () => peerByFolder('python-avro') });
