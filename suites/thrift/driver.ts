// The Thrift family's driver: its catalogue and, for any implementation under test, how its
// client runs a case (procedures.ts) and how its server is started for a peer client (server.ts).
import type { FamilyDriver } from '../../harness/vitest/family-driver.ts';
import { thriftCatalogue, type ThriftCase } from './catalogue.ts';
import { runClientCase } from './procedures.ts';
import { startServer } from './server.ts';

export const thriftDriver: FamilyDriver<ThriftCase> = { ...thriftCatalogue, module: import.meta.url, runClientCase, startServer };
export default thriftDriver;
