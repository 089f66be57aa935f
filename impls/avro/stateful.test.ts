// Stateful connections (tcp, netty, avro, netty-deflate): one handshake in flight per connection
// while concurrent calls wait behind it (defect 3), and a client that outlives its connection
// (defect 5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, listen, parseProtocol, type AvroServer, type Protocol } from './index.ts';
import type { HandshakeMatch } from './handshake.ts';
import { echoHandlers, loadProtocol, protocolText } from './testing/fixtures.ts';

const protocol = loadProtocol('conformance');

/** Same messages and one more: a hash the server has never seen, so the first answer is NONE. */
function unseen(tag: string): Protocol {
  const json = JSON.parse(protocolText('conformance')) as { messages: Record<string, unknown> };
  json.messages[`neverCalled${tag}`] = { request: [], response: 'null' };
  return parseProtocol(json);
}

const STATEFUL = ['tcp', 'netty', 'avro', 'netty-deflate'] as const;

for (const scheme of STATEFUL) {
  describe(`concurrent calls on a fresh ${scheme}:// connection`, () => {
    let server: AvroServer;
    let url: string;
    const seen: HandshakeMatch[] = [];
    beforeAll(async () => {
      server = await listen(`${scheme}://127.0.0.1:0/`, protocol, echoHandlers(protocol), { events: { handshake: (_, response) => seen.push(response.match) } });
      url = `${scheme}://127.0.0.1:${server.port}/`;
    });
    afterAll(() => server.close());

    it('send one handshake, the others wait behind it (server knows our protocol)', async () => {
      seen.length = 0;
      const client = await connectClient(url, protocol, { timeoutMs: 2_000 });
      try {
        const values = Array.from({ length: 10 }, (_, i) => i);
        expect(await Promise.all(values.map((value) => client.call('echoInt', { value })))).toEqual(values);
        expect(client.handshakes.map((h) => h.response.match)).toEqual(['BOTH']);
        expect(seen).toEqual(['BOTH']);
      } finally {
        await client.close();
      }
    });

    it('after NONE, the holder resends with its protocol and the others follow without a handshake', async () => {
      seen.length = 0;
      const client = await connectClient(url, unseen(`${scheme.replace('-', '')}${Date.now()}`), { timeoutMs: 2_000 });
      try {
        const values = Array.from({ length: 5 }, (_, i) => 100 + i);
        const outcomes = await Promise.allSettled(values.map((value) => client.call('echoInt', { value })));
        expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)))).toEqual(values);
        expect(client.handshakes.map((h) => h.response.match)).toEqual(['NONE', 'BOTH']);
        expect(seen).toEqual(['NONE', 'BOTH']);
      } finally {
        await client.close();
      }
    });
  });

  describe(`a ${scheme}:// client across a server restart`, () => {
    it('reconnects on the next call and handshakes again on the new connection', async () => {
      const first = await listen(`${scheme}://127.0.0.1:0/`, protocol, echoHandlers(protocol));
      const port = first.port;
      const url = `${scheme}://127.0.0.1:${port}/`;
      const client = await connectClient(url, protocol, { timeoutMs: 2_000 });
      let second: AvroServer | undefined;
      try {
        expect(await client.call('echoInt', { value: 1 })).toBe(1);
        await first.close();
        // While the server is down, a call fails and says why.
        await expect(client.call('echoInt', { value: 2 })).rejects.toThrow(/closed the connection|cannot connect/);
        second = await listen(url, protocol, echoHandlers(protocol));
        expect(await client.call('echoInt', { value: 3 })).toBe(3);
        expect(await client.call('echoInt', { value: 4 })).toBe(4);
        expect(client.handshakes.map((h) => h.response.match)).toEqual(['BOTH', 'BOTH']);
      } finally {
        await client.close();
        await second?.close();
      }
    });
  });
}
