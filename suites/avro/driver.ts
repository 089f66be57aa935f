// The Avro family's CellDriver: the TypeScript side of every cell is our stack ("ours") or avsc 5's
// services ("avsc5"), chosen by the cell's implementation axis.
import type { CellDriver } from '../../harness/vitest/define-cells.ts';
import { AVSC_KINDS, runAvscClientCase } from './avsc-procedures.ts';
import { casesForCell, type AvroCase } from './catalogue.ts';
import { runClientCase } from './client-procedures.ts';
import { startOurServer } from './our-server.ts';

export const avroDriver: CellDriver<AvroCase> = {
  cases: (cell) => casesForCell(cell).filter((c) => cell.implementation !== 'avsc5' || AVSC_KINDS.includes(c.kind)),
  runClientCase: (cell, port, testCase, recorder) => (cell.implementation === 'avsc5' ? runAvscClientCase : runClientCase)(cell, port, testCase, recorder),
  startServer: (cell, port, recorders) => startOurServer(cell, port, casesForCell(cell), recorders),
};
