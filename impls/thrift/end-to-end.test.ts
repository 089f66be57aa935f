// Our client against our server over every transport, protocol and socket of the axes, running
// the case catalogue (suites/thrift/data/cases.json) as the conformance suite does. Interop with
// the reference implementations is the conformance matrix's (suites/thrift); this keeps both ends
// honest without a container.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { serve, type ThriftServer, loadIdl, type Endpoint } from './index.ts';
import { casesFor, loadCases, runClientCase, type ThriftCase } from './testing/cases.ts';
import { CONFORMANCE_IDL, conformanceHandlers } from './testing/conformance-handlers.ts';
import { makeTlsFixture, type TlsFixture } from './testing/tls.ts';

const idl = loadIdl(CONFORMANCE_IDL);
const all = loadCases();

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

async function runAll(endpoint: Endpoint, cases: readonly ThriftCase[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      await runClientCase({ idl, endpoint, timeoutMs: 10_000 }, c);
    } catch (error) {
      failures.push(`${c.id}: ${String(error).slice(0, 500)}`);
    }
  }
  return failures;
}

async function start(endpoint: Endpoint): Promise<ThriftServer> {
  return serve(endpoint, idl, conformanceHandlers(), {
    defaultService: endpoint.protocol.startsWith('multiplexed') ? undefined : 'Conformance',
    onReject: () => undefined,
    log: () => undefined,
  });
}

describe.each(COMBOS)('our client and server over %s', (transport, protocols) => {
  it.each(protocols)('%s: every case of the catalogue passes', async (protocol) => {
    // client-timeout waits a second per run: once per transport is enough.
    const cases = casesFor(all, transport, protocol, 'ts-client').filter((c) => c.kind !== 'client-timeout' || protocol === protocols[0]);
    const endpoint: Endpoint = { transport, protocol, host: '127.0.0.1', port: 0 };
    const server = await start(endpoint);
    try {
      const failures = await runAll({ ...endpoint, port: server.port }, cases);
      expect(failures).toEqual([]);
      expect(cases.length).toBeGreaterThan(90);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('TLS and Unix sockets', () => {
  let tls: TlsFixture;
  beforeAll(async () => { tls = await makeTlsFixture(); }, 60_000);
  afterAll(() => undefined);

  const SOCKET_COMBOS: [string, string, string][] = [
    ['tls', 'buffered', 'binary'], ['tls', 'http', 'json'], ['tls', 'header-zlib', 'compact'],
    ['unix', 'framed', 'json'], ['unix', 'http', 'binary'], ['unix', 'zlib', 'mixed-compact-binary'],
  ];

  it.each(SOCKET_COMBOS)('%s %s %s: every call case passes', async (socket, transport, protocol) => {
    const cases = casesFor(all, transport, protocol, 'ts-client').filter((c) => ['call', 'oneway', 'sequence', 'unknown-method', 'seqid-echo'].includes(c.kind));
    const endpoint: Endpoint = socket === 'unix'
      ? { transport, protocol, socket: 'unix', path: join(tls.dir, `${transport}-${protocol}.sock`) }
      : { transport, protocol, socket: 'tls', host: '127.0.0.1', port: 0, tls: { cert: tls.cert, key: tls.key } };
    const server = await start(endpoint);
    try {
      const client: Endpoint = socket === 'unix' ? endpoint : { ...endpoint, port: server.port, tls: { ca: tls.ca } };
      expect(await runAll(client, cases)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
