// Our Avro client against our own server over every transport, in-process on loopback. These are
// unit tests of the stack; the conformance suites (suites/avro) run it against the references.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, LOOPBACK } from '../../harness/net/ports.ts';
import { KEPT_HANDSHAKES } from './client.ts';
import { AvroRemoteError, AvroSystemError, connectClient, listen, parseProtocol, raise, WireTrace, type AvroServer } from './index.ts';

const protocol = parseProtocol(readFileSync(new URL('../../suites/avro/data/protocols/conformance.avpr', import.meta.url), 'utf8'));
const v2 = parseProtocol(readFileSync(new URL('../../suites/avro/data/protocols/conformance-v2.avpr', import.meta.url), 'utf8'));

function handlers(): Parameters<typeof listen>[2] {
  let note: string | null = null;
  const echo = ({ value }: Record<string, unknown>): unknown => value;
  const all: Record<string, (p: Record<string, unknown>) => unknown> = {};
  for (const name of protocol.messages.keys()) all[name] = echo;
  all['add'] = ({ a, b }) => (a as bigint) + (b as bigint);
  all['fail'] = ({ code, reason }) => { throw raise('org.conformance.avro.ConformanceError', { code, reason }); };
  all['failUndeclared'] = ({ reason }) => { throw new Error(`boom ${String(reason)}`); };
  all['notify'] = ({ note: n }) => { note = n as string; return null; };
  all['lastNote'] = () => (note === null ? null : { string: note });
  return all;
}

for (const scheme of ['http', 'tcp', 'netty', 'avro'] as const) {
  describe(`our Avro stack over ${scheme}://`, () => {
    let server: AvroServer;
    let url: string;
    beforeAll(async () => {
      const port = await freePort();
      url = `${scheme}://${LOOPBACK}:${port}/`;
      server = await listen(url, protocol, handlers());
    });
    afterAll(() => server.close());

    it('echoes longs across the whole 64-bit range', async () => {
      const client = await connectClient(url, protocol);
      for (const value of [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -1n]) {
        expect(await client.call('echoLong', { value })).toBe(value);
      }
      await client.close();
    });

    it('raises declared errors by type and system errors as strings', async () => {
      const client = await connectClient(url, protocol);
      await expect(client.call('fail', { kind: 'conformance', code: 3, reason: 'r' })).rejects.toBeInstanceOf(AvroRemoteError);
      await expect(client.call('failUndeclared', { reason: 'x' })).rejects.toThrow(AvroSystemError);
      await client.close();
    });

    it('delivers one-way messages', async () => {
      const client = await connectClient(url, protocol);
      expect(await client.call('notify', { note: 'hi' })).toBeNull();
      expect(await client.call('lastNote', {})).toEqual({ string: 'hi' });
      await client.close();
    });

    it('handshakes BOTH with itself, once per connection when stateful', async () => {
      const trace = new WireTrace();
      const client = await connectClient(url, protocol, { recorder: trace });
      for (const value of [1, 2, 3]) expect(await client.call('echoInt', { value })).toBe(value);
      expect(client.handshakes.map((h) => h.response.match)).toEqual(scheme === 'http' ? ['BOTH', 'BOTH', 'BOTH'] : ['BOTH']);
      await client.close();
    });

    it('keeps the newest handshakes only, however many calls carry one', async () => {
      const client = await connectClient(url, protocol);
      // Over HTTP every call carries a handshake: a long-lived client kept them all (~170 B a call, forever).
      const calls = scheme === 'http' ? KEPT_HANDSHAKES + 5 : 3;
      for (let value = 0; value < calls; value++) expect(await client.call('echoInt', { value })).toBe(value);
      expect(client.handshakes.map((h) => h.response.match)).toEqual(Array(scheme === 'http' ? KEPT_HANDSHAKES : 1).fill('BOTH'));
      await client.close();
    });

    it('resolves a v2 client against the v1 server (added field default, missing message)', async () => {
      const client = await connectClient(url, v2);
      expect(await client.call('echoPoint', { value: { x: 1, y: 2, z: 9 } })).toEqual({ x: 1, y: 2, z: 0 });
      expect(client.handshakes[0]?.response.match).toBe('NONE');
      await expect(client.call('echoNew', { value: 's' })).rejects.toThrow(/No (such remote )?message/);
      await client.close();
    });

    it('answers a ping with a handshake only', async () => {
      const client = await connectClient(url, protocol);
      expect((await client.ping())?.match).toBe('BOTH');
      expect(await client.call('echoInt', { value: 4 })).toBe(4);
      await client.close();
    });
  });
}

describe('our socket server under bad input', () => {
  it('closes a connection that announces an oversize frame and keeps serving others', async () => {
    const port = await freePort();
    const server = await listen(`tcp://${LOOPBACK}:${port}`, protocol, handlers());
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: LOOPBACK, port }, () => socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])));
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
      setTimeout(() => resolve(false), 3000);
    });
    expect(closed).toBe(true);
    const client = await connectClient(`tcp://${LOOPBACK}:${port}`, protocol);
    expect(await client.call('echoInt', { value: 9 })).toBe(9);
    await client.close();
    await server.close();
  });

  it('times out a call when the server never answers, and says so', async () => {
    const port = await freePort();
    const { createServer } = await import('node:net');
    const silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((resolve) => silent.listen(port, LOOPBACK, resolve));
    const client = await connectClient(`tcp://${LOOPBACK}:${port}`, protocol, { timeoutMs: 300 });
    await expect(client.call('echoInt', { value: 1 })).rejects.toThrow(/no response within 300 ms/);
    await client.close();
    silent.close();
  });

  it('fails a call cleanly when the server closes mid-call', async () => {
    const port = await freePort();
    const { createServer } = await import('node:net');
    const rude = createServer((socket) => socket.on('data', () => socket.destroy()));
    await new Promise<void>((resolve) => rude.listen(port, LOOPBACK, resolve));
    const client = await connectClient(`netty://${LOOPBACK}:${port}`, protocol, { timeoutMs: 5000 });
    await expect(client.call('echoInt', { value: 1 })).rejects.toThrow(/closed the connection/);
    await client.close();
    rude.close();
  });
});
