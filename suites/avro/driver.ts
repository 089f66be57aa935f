// The Avro family's driver: its catalogue and, for any implementation under test, how its client
// runs a case (procedures.ts) and how its server is started for a peer client (server.ts).
import type { FamilyDriver } from '../../harness/vitest/family-driver.ts';
import { avroCatalogue, type AvroCase } from './catalogue.ts';
import { runClientCase } from './procedures.ts';
import { startServer } from './server.ts';

export const avroDriver: FamilyDriver<AvroCase> = {
  ...avroCatalogue, module: import.meta.url, runClientCase, startServer,
  // A server set up per case (rpcreceive) or one that answers by its cases' calls (Flume's) reads
  // the listener's ordered case ids (containers/README.md, "Other roles"); other peers ignore them.
  listenerExtras: (_cell, cases) => ({ cases: cases.map((c) => c.id) }),
};
export default avroDriver;
