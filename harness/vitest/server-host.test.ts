// The server host runs our servers in a process of its own: a real Thrift server of ours serves
// there, our client calls it from here, and what the server saw comes back per case and per cell.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Cell } from '../matrix/axes.ts';
import { REPO_ROOT } from '../docker/peers.ts';
import { freePort, LOOPBACK } from '../net/ports.ts';
import thriftAdapter from '../../impls/thrift/adapter.ts';
import { contractEndpoint } from '../../suites/thrift/procedures.ts';
import { thriftDriver } from '../../suites/thrift/driver.ts';
import { ServerHost, type HostedCell } from './server-host.ts';
import type { CaseWindow } from '../tap/parse.ts';
import { monotonicMs } from '../../impls/wire/monotonic-clock.ts';

const cell: Cell = {
  family: 'thrift', direction: 'ts-server', client: 'python', server: 'ours', peer: 'python', version: '0.25.0',
  implementation: 'ours', transport: 'framed', protocol: 'binary', socket: 'tcp', serverKind: 'ours',
};

let host: ServerHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function hostOne(caseIds: readonly string[], port?: number): Promise<{ hosted: HostedCell; failures: ReadonlyMap<string, string>; ports: ReadonlyMap<string, number> }> {
  const hosted: HostedCell = {
    key: 'cell-1', cell, modulePath: join(REPO_ROOT, 'impls', 'thrift', 'adapter.ts'),
    endpoint: { host: LOOPBACK, port: port ?? await freePort(), socket: 'tcp' }, caseIds, keepPerChunk: 256,
  };
  const started = await ServerHost.start(thriftDriver.module, [hosted]);
  host = started.host;
  return { hosted, failures: started.failures, ports: started.ports };
}

/** A case window from a monotonic instant to now (the real-time span alongside, as a peer prints both). */
function windowFrom(from: number): CaseWindow {
  const to = monotonicMs() + 1;
  const wallTo = Date.now() + 1;
  return { from, to, wallFrom: wallTo - (to - from), wallTo };
}

/** Something that is not the suite listening on a port the suite reserved. */
async function squatter(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  return server;
}

describe('ServerHost', () => {
  it('serves in its own process and reports, per case, what arrived wrong, with the wire bytes and stalls', async () => {
    const { hosted, failures } = await hostOne(['i32-zero', 'i32-min']);
    expect(failures.size).toBe(0);
    if (!thriftAdapter.connect) throw new Error('our Thrift adapter has no client');
    const client = await thriftAdapter.connect(contractEndpoint(cell, hosted.endpoint), { timeoutMs: 5_000 });
    const from = monotonicMs();
    // i32-zero's call, as the case sends it; i32-min's value never arrives (a different one does).
    expect(await client.call('Conformance', 'echoI32', { value: 0 })).toBe(0);
    expect(await client.call('Conformance', 'echoI32', { value: 5 })).toBe(5);
    await client.close();
    const report = await (host as ServerHost).collect(new Map([['cell-1', new Map([['i32-zero', windowFrom(from)]])]]), new Set());
    const seen = report.cells.get('cell-1');
    expect(seen?.problems.get('i32-zero')).toEqual([]);
    expect(seen?.problems.get('i32-min')?.[0]).toMatch(/no echoI32 call arrived with arguments \{"value":-2147483648\}; 2 echoI32 call\(s\) arrived/);
    expect(seen?.crashed).toBeUndefined();
    const bytes = seen?.wire.between(from, monotonicMs() + 1) ?? [];
    expect(bytes).toHaveLength(1);
    // A framed binary call: the frame's length, then the strict version word of a CALL.
    expect(bytes[0]?.received.subarray(4, 8).toString('hex')).toBe('80010001');
    expect(Array.isArray(report.stalls)).toBe(true);
  });

  it('sends a cell\'s wire bytes only when a report may show them', async () => {
    const { hosted } = await hostOne(['i32-zero']);
    if (!thriftAdapter.connect) throw new Error('our Thrift adapter has no client');
    const client = await thriftAdapter.connect(contractEndpoint(cell, hosted.endpoint), { timeoutMs: 5_000 });
    const from = monotonicMs();
    expect(await client.call('Conformance', 'echoI32', { value: 0 })).toBe(0);
    await client.close();
    const windows = new Map([['cell-1', new Map([['i32-zero', windowFrom(from)]])]]);
    const quiet = await (host as ServerHost).collect(windows, new Set());
    expect(quiet.cells.get('cell-1')?.problems.get('i32-zero')).toEqual([]);
    expect(quiet.cells.get('cell-1')?.wire.between(0, Number.POSITIVE_INFINITY)).toEqual([]);
    const failing = await (host as ServerHost).collect(windows, new Set(['cell-1']));
    expect(failing.cells.get('cell-1')?.wire.between(0, Number.POSITIVE_INFINITY)).toHaveLength(1);
  });

  it('serves on another port when the reserved one was taken meanwhile, and says so in the cell\'s log', async () => {
    const reserved = await freePort();
    const taken = await squatter(reserved);
    try {
      const { hosted, failures, ports } = await hostOne(['i32-zero'], reserved);
      expect(failures.size).toBe(0);
      const moved = ports.get('cell-1');
      expect(moved).toBeGreaterThan(0);
      expect(moved).not.toBe(reserved);
      if (!thriftAdapter.connect) throw new Error('our Thrift adapter has no client');
      const client = await thriftAdapter.connect(contractEndpoint(cell, { ...hosted.endpoint, port: moved as number }), { timeoutMs: 5_000 });
      expect(await client.call('Conformance', 'echoI32', { value: 0 })).toBe(0);
      await client.close();
      const report = await (host as ServerHost).collect(new Map([['cell-1', new Map()]]), new Set());
      expect(report.cells.get('cell-1')?.log.last(10).join('\n')).toContain(`port ${reserved} was taken after it was reserved`);
    } finally {
      taken.close();
    }
  });

  it('reports no moved port when the reserved one was free', async () => {
    const { ports } = await hostOne(['i32-zero']);
    expect(ports.size).toBe(0);
  });

  it('says which cell\'s server did not start, and why', async () => {
    const { failures } = await hostOne(['no-such-case']);
    expect(failures.get('cell-1')).toMatch(/no case no-such-case in the thrift catalogue/);
  });

  it('reports a host that died, with how it ended', async () => {
    const { hosted } = await hostOne(['ping']);
    const started = host as ServerHost;
    process.kill(started.pid as number, 'SIGKILL');
    await vi.waitFor(() => expect(started.ended).toBeDefined());
    await expect(started.collect(new Map([[hosted.key, new Map()]]), 'all')).rejects.toThrow(/our servers' process ended \(signal SIGKILL\)/);
    expect(started.ended).toMatch(/signal SIGKILL/);
  });
});
