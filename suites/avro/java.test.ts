// Avro RPC: our TypeScript implementation against the Java reference (containers/java-avro).
import { peerByFolder } from '../../harness/docker/peers.ts';
import { defineCellSuites } from '../../harness/vitest/define-cells.ts';
import { avroCells } from './cells.ts';
import { avroDriver } from './driver.ts';

defineCellSuites({ cells: avroCells('java'), driver: avroDriver, peerFor: () => peerByFolder('java-avro') });
