// The Avro family's CellDriver: our implementation on the TypeScript side of every cell.
import type { CellDriver } from '../../harness/vitest/define-cells.ts';
import { casesForCell, type AvroCase } from './catalogue.ts';
import { runClientCase } from './client-procedures.ts';
import { startOurServer } from './our-server.ts';

export const avroDriver: CellDriver<AvroCase> = {
  cases: (cell) => casesForCell(cell),
  runClientCase,
  startServer: (cell, port) => startOurServer(cell, port, casesForCell(cell)),
};
