// The program cases (suites/avro/data/programs) through the suite's own driver, our client against
// our server in-process: the catalogue's additions (batchSize, the $events generator), the interop
// and Flume semantics and our server's checks. The conformance suite runs the same cases against
// avro-tools, Python's avro.tool and Flume; this shows the suite side is right on its own, and that
// its checks can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvroImplementation } from '../../harness/contract/avro.ts';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import type { LoadedImplementation } from '../../harness/contract/load.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import { freePort, LOOPBACK } from '../../harness/net/ports.ts';
import type { Endpoint, TsServer } from '../../harness/vitest/family-driver.ts';
import { callsOf, loadCases, type AvroCase } from '../../suites/avro/catalogue.ts';
import { loadProtocol } from '../../suites/avro/expectations.ts';
import { expandEvents } from '../../suites/avro/notation.ts';
import { runClientCase, urlFor } from '../../suites/avro/procedures.ts';
import { byCodePoints } from '../../suites/avro/semantics.ts';
import { startServer } from '../../suites/avro/server.ts';
import { ServerWireLog, WireTrace } from '../wire/recorder.ts';
import adapter from './adapter.ts';
import { connectClient } from './index.ts';

const implementation: LoadedImplementation = {
  capabilities: adapter.capabilities as ImplementationCapabilities, source: 'impls/avro', modulePath: new URL('./adapter.ts', import.meta.url).pathname, adapter,
};

function cellOf(protocol: string, transport: string, direction: 'ts-client' | 'ts-server'): Cell {
  return { family: 'avro', direction, client: 'ours', server: 'ours', peer: 'ours', version: '0', implementation: 'ours', transport, protocol, socket: 'tcp', serverKind: 'ours' };
}

describe('the program catalogue', () => {
  const cases = loadCases();

  it('is one catalogue with unique ids, holding both files', () => {
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('echo-int-max');
    expect(ids).toContain('flume-batch-1000-in-100s');
    expect(ids).toContain('interop-greet-ascii');
  });

  it('finds protocols in data/protocols and data/programs/protocols', () => {
    expect(loadProtocol('conformance').messages.has('echoInt')).toBe(true);
    expect(loadProtocol('interop').messages.has('weigh')).toBe(true);
    expect(loadProtocol('flume').messages.has('appendBatch')).toBe(true);
  });

  it('expands $events as the README says: seq header, body byte j of event i is (i + j) mod 256', () => {
    const events = expandEvents({ $events: { count: 300, bodyBytes: 3, headers: { batch: 'b' } } }) as { headers: Record<string, string>; body: { $hex: string } }[];
    expect(events).toHaveLength(300);
    expect(events[0]).toEqual({ headers: { batch: 'b', seq: '0' }, body: { $hex: '000102' } });
    expect(events[255]?.body.$hex).toBe('ff0001');
    expect(events[299]?.headers['seq']).toBe('299');
  });

  it('cuts a batchSize case into consecutive calls', () => {
    const c = cases.find((x) => x.id === 'flume-batch-1000-in-100s') as AvroCase;
    const calls = callsOf(c);
    expect(calls).toHaveLength(10);
    expect(calls.map((call) => (call.request['events'] as unknown[]).length)).toEqual(Array(10).fill(100));
    const last = (calls[9]?.request['events'] ?? []) as { headers: { seq: string } }[];
    expect(last[0]?.headers.seq).toBe('900');
  });

  it('orders map keys by code points for weigh', () => {
    expect(['\u{1F600}', '\uFFFD', 'a'].sort(byCodePoints)).toEqual(['a', '\uFFFD', '\u{1F600}']);
  });
});

for (const [protocol, transport] of [['interop', 'http'], ['interop', 'sasl'], ['flume', 'netty'], ['flume', 'netty-deflate']] as const) {
  describe(`program cases of ${protocol} over ${transport}, our client against our server`, () => {
    // interop-unexpected-message is about rpcreceive set up for another message; our server serves them all.
    const cases = loadCases().filter((c) => c.protocol === protocol && !c.serverSetup);
    let server: TsServer;
    let endpoint: Endpoint;
    beforeAll(async () => {
      endpoint = { host: LOOPBACK, port: await freePort(), socket: 'tcp' };
      server = await startServer({ cell: cellOf(protocol, transport, 'ts-server'), implementation, endpoint, cases, recorders: new ServerWireLog() });
    });
    afterAll(() => server.close());

    for (const testCase of cases) {
      it(testCase.id, async () => {
        await runClientCase({ cell: cellOf(protocol, transport, 'ts-client'), implementation, endpoint, testCase, recorder: new WireTrace(4096) });
        expect(server.problemsFor(testCase.id)).toEqual([]);
      });
    }

    if (protocol === 'flume') {
      it('answers FAILED for an event no case sends, and says a case whose calls did not arrive', async () => {
        const flume = loadProtocol('flume');
        const client = await connectClient(urlFor(transport, endpoint), flume, { timeoutMs: 5000 });
        try {
          expect(await client.call('append', { event: { headers: { host: 'conformance.test', timestamp: '1700000000124' }, body: Buffer.from('hello, flume\n') } })).toBe('FAILED');
          // The first 100 events of a 1000-event case, but in one call of 100 instead of the case's single call.
          const batch = cases.find((c) => c.id === 'flume-batch-1000') as AvroCase;
          const [whole] = callsOf(batch);
          const events = (expandEvents(whole?.request['events'] ?? null) as { headers: Record<string, string>; body: { $hex: string } }[]).slice(0, 100)
            .map((e) => ({ headers: e.headers, body: Buffer.from(e.body.$hex, 'hex') }));
          expect(await client.call('appendBatch', { events })).toBe('FAILED');
        } finally {
          await client.close();
        }
      });
    }
  });
}

describe('our server judges what arrived', () => {
  it('names a program case whose request never came', async () => {
    const cases = loadCases().filter((c) => c.protocol === 'interop' && !c.serverSetup);
    const endpoint: Endpoint = { host: LOOPBACK, port: await freePort(), socket: 'tcp' };
    const server = await startServer({ cell: cellOf('interop', 'http', 'ts-server'), implementation, endpoint, cases, recorders: new ServerWireLog() });
    try {
      const client = await connectClient(urlFor('http', endpoint), loadProtocol('interop'), { timeoutMs: 5000 });
      expect(await client.call('greet', { name: 'Ada!' })).toBe('Greetings, Ada!.');
      await client.close();
      expect(server.problemsFor('interop-greet-ascii').join('\n')).toMatch(/no greet request arrived with parameters/);
    } finally {
      await server.close();
    }
  });
});

// The adapter is the contract's: nothing here may reach around it.
void (adapter satisfies AvroImplementation);
