// Our client against our server over every transport, protocol and socket of the axes, running
// the case catalogue (suites/thrift/data/cases.json) through the suite's own driver, as the
// conformance matrix does: its case filter, its procedures (suites/thrift/procedures.ts) and its
// server with the shared semantics (suites/thrift/server.ts), both ends through our adapter.
// Interop with the reference implementations is the matrix's (suites/thrift); this keeps both
// ends honest without a container, and shows the suite side right on its own.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import type { ThriftImplementation } from '../../harness/contract/thrift.ts';
import type { LoadedImplementation } from '../../harness/contract/load.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import { appliesTo } from '../../harness/matrix/case-filter.ts';
import { freePort, LOOPBACK } from '../../harness/net/ports.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';
import { ServerLog } from '../../harness/vitest/server-log.ts';
import { makeTlsMaterial, type TlsFiles } from '../../harness/run/tls.ts';
import type { Endpoint } from '../../harness/vitest/family-driver.ts';
import { loadCases, thriftCatalogue, type ThriftCase } from '../../suites/thrift/catalogue.ts';
import { runClientCase } from '../../suites/thrift/procedures.ts';
import { startServer } from '../../suites/thrift/server.ts';
import { ServerWireLog, WireTrace } from '../wire/recorder.ts';
import adapter from './adapter.ts';

const capabilities = adapter.capabilities as ImplementationCapabilities;
const implementation: LoadedImplementation = {
  capabilities, source: 'impls/thrift', modulePath: new URL('./adapter.ts', import.meta.url).pathname, adapter,
};
const all = loadCases();

function cellOf(transport: string, protocol: string, socket: string, direction: 'ts-client' | 'ts-server'): Cell {
  return { family: 'thrift', direction, client: 'ours', server: 'ours', peer: 'ours', version: '0', implementation: 'ours', transport, protocol, socket, serverKind: 'ours' };
}

/** The cases the matrix runs in such a ts-client cell (harness/matrix/case-filter.ts, the family's feature rules). */
function casesFor(cell: Cell): ThriftCase[] {
  return all.filter((c) => appliesTo(c, cell) && thriftCatalogue.supports(c, cell, capabilities));
}

/**
 * Starts our server for the cell as the suite does, runs every case with our client, and returns
 * the failures: a case that does not pass, or whose calls did not reach the server exactly as sent.
 */
async function runAll(transport: string, protocol: string, socket: string, endpoint: Endpoint, cases: readonly ThriftCase[]): Promise<string[]> {
  // The server's log (input it refused, handler errors) is shown with the failures, as the matrix does.
  const log = new ServerLog();
  const server = await startServer({ cell: cellOf(transport, protocol, socket, 'ts-server'), implementation, endpoint, cases, recorders: new ServerWireLog(), log: log.write });
  const failures: string[] = [];
  try {
    for (const testCase of cases) {
      try {
        await runClientCase({ cell: cellOf(transport, protocol, socket, 'ts-client'), implementation, endpoint, testCase, recorder: new WireTrace(4096) });
        const problems = server.problemsFor(testCase.id);
        if (problems.length > 0) failures.push(`${testCase.id}: ${problems.join('; ').slice(0, 500)}`);
      } catch (error) {
        failures.push(`${testCase.id}: ${String(error).slice(0, 500)}`);
      }
    }
  } finally {
    await server.close();
  }
  return failures.length > 0 ? [...failures, ...log.forFailure(undefined)] : failures;
}

// Every transport, every protocol family and both mixed pairs at least once (accel-binary is
// binary on our side); the matrix covers the whole cross product against the references.
const COMBOS: [string, string[]][] = [
  ['buffered', ['binary', 'json', 'multiplexed-json', 'mixed-compact-binary']],
  ['framed', ['compact', 'default-service-binary']],
  ['fastframed', ['compact']],
  ['http', ['json', 'mixed-binary-compact']],
  ['zlib', ['binary']],
  ['header', ['compact', 'multiplexed-binary']],
  ['header-zlib', ['compact']],
];

describe.each(COMBOS)('our client and server over %s', (transport, protocols) => {
  it.each(protocols)('%s: every case of the catalogue passes', async (protocol) => {
    const cases = casesFor(cellOf(transport, protocol, 'tcp', 'ts-client'));
    const failures = await runAll(transport, protocol, 'tcp', { host: LOOPBACK, port: await freePort(), socket: 'tcp' }, cases);
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(90);
  }, 60_000);
});

describe('TLS and Unix sockets', () => {
  // The run's TLS material as the harness makes it for the matrix (harness/run/tls.ts).
  let dir = '';
  let tls: TlsFiles;
  beforeAll(async () => {
    dir = scratchDirectory('thrift-e2e-');
    tls = await makeTlsMaterial(dir);
  }, 60_000);

  const SOCKET_COMBOS: [string, string, string][] = [
    ['tls', 'buffered', 'binary'], ['tls', 'http', 'json'], ['tls', 'header-zlib', 'compact'],
    ['unix', 'framed', 'json'], ['unix', 'http', 'binary'], ['unix', 'zlib', 'mixed-compact-binary'],
  ];

  it.each(SOCKET_COMBOS)('%s %s %s: every case of the catalogue passes', async (socket, transport, protocol) => {
    const cases = casesFor(cellOf(transport, protocol, socket, 'ts-client'));
    const endpoint: Endpoint = socket === 'unix'
      ? { host: LOOPBACK, port: 0, socket, path: join(dir, `${transport}-${protocol}.sock`) }
      : { host: LOOPBACK, port: await freePort(), socket, tls };
    expect(await runAll(transport, protocol, socket, endpoint, cases)).toEqual([]);
    expect(cases.length).toBeGreaterThan(90);
  }, 60_000);
});

// The adapter is the contract's: nothing here may reach around it.
void (adapter satisfies ThriftImplementation);
