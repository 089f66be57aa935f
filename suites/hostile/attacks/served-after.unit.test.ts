// The valid call made after an attack: made again only when our server's own log says it closed
// the first one at a time limit, and both attempts are kept.
import { describe, expect, it } from 'vitest';
import { cellWire } from '../rpc-wire.ts';
import type { Served } from '../avro/rpc.ts';
import { servedAfter, type Target } from './server.ts';

function target(attempts: Served[], log: string[][]): Target & { calls: () => number } {
  let calls = 0;
  return {
    wire: { ...cellWire('avro', 'tcp', 'conformance'), validCall: async () => attempts[calls++] ?? { ok: false, ms: 0, detail: 'no more attempts scripted' } },
    port: 1,
    pid: process.pid,
    serverLog: async () => log.shift() ?? [],
    calls: () => calls,
  };
}

const closed: Served = { ok: false, ms: 1_162, detail: 'echoInt(41) failed: AvroTransportError: server 127.0.0.1:1 closed the connection' };
const answered: Served = { ok: true, ms: 3, detail: 'echoInt(41) answered 41' };

describe('the valid call after an attack', () => {
  it('is made once more when our server closed it at its idle limit, and keeps the first attempt', async () => {
    const t = target([closed, answered], [['an earlier close'], ['5 ms: closing connection 127.0.0.1:9: idle for 1000 ms (limit idleTimeoutMs)']]);
    const served = await servedAfter(t);
    expect(t.calls()).toBe(2);
    expect(served.ok).toBe(true);
    expect(served.firstAttempt).toMatch(/closed the connection after 1162 ms; our server: .*idle for 1000 ms/);
  });

  it('fails when the second attempt fails too', async () => {
    const t = target([closed, closed], [[], ['closing connection from 127.0.0.1:9: no complete message within 200 ms (10 bytes of one received)']]);
    const served = await servedAfter(t);
    expect(t.calls()).toBe(2);
    expect(served.ok).toBe(false);
  });

  it('is not made again when the server closed it for another reason', async () => {
    const t = target([closed, answered], [[], ['refused a connection from 127.0.0.1:9: 16 are open (limit maxConnections)']]);
    const served = await servedAfter(t);
    expect(t.calls()).toBe(1);
    expect(served.ok).toBe(false);
    expect(served.firstAttempt).toBeUndefined();
  });

  it('is not made again when the call failed otherwise than by its connection going away', async () => {
    const wrong: Served = { ok: false, ms: 5, detail: 'echoInt(41) answered 40' };
    const t = target([wrong, answered], [[], ['closing connection 127.0.0.1:9: idle for 1000 ms (limit idleTimeoutMs)']]);
    const served = await servedAfter(t);
    expect(t.calls()).toBe(1);
    expect(served.ok).toBe(false);
  });

  it('is not made again for a server without a log (a reference)', async () => {
    const t = target([closed, answered], []);
    const served = await servedAfter({ wire: t.wire, port: t.port, pid: t.pid });
    expect(served.ok).toBe(false);
  });
});
