// Our client over HTTP, where every call carries a handshake: once the server has answered BOTH,
// the client sends that handshake again without encoding it and knows the same answer by its
// bytes (client.ts sendRepeated). These calls check that what it remembers never answers
// differently: a server that restarts on the same port with another protocol answers NONE, and
// the call goes again with our protocol, run once by the server.
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, listen, type AvroServer } from './index.ts';
import { parseProtocol } from './protocol.ts';
import { echoHandlers, loadProtocol, protocolText } from './testing/fixtures.ts';

const protocol = loadProtocol('conformance');
/** The protocol with one message more: another hash, which a client of `protocol` does not present. */
const otherSource = JSON.parse(protocolText('conformance')) as { messages: Record<string, unknown> };
const other = parseProtocol(JSON.stringify({ ...otherSource, messages: { ...otherSource.messages, addedSince: { request: [], response: 'null' } } }));

const servers: AvroServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('our client over HTTP', () => {
  it('reports a BOTH handshake for every call after the first, with the right answers', async () => {
    const server = await listen('http://127.0.0.1:0/', protocol, echoHandlers(protocol));
    servers.push(server);
    const client = await connectClient(`http://127.0.0.1:${server.port}/`, protocol, { timeoutMs: 5_000 });
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('echoInt', { value: i })));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await client.call('add', { a: 1n, b: 2n })).toBe(3n);
    expect(client.handshakes.map((h) => h.response.match)).toEqual(Array.from({ length: 21 }, () => 'BOTH'));
    await client.close();
  });

  it('sends a call again with its protocol when a restarted server answers NONE, and the server runs it once', async () => {
    const first = await listen('http://127.0.0.1:0/', protocol, echoHandlers(protocol));
    const port = first.port;
    const client = await connectClient(`http://127.0.0.1:${port}/`, protocol, { timeoutMs: 5_000 });
    expect(await client.call('echoInt', { value: 1 })).toBe(1);
    expect(await client.call('echoInt', { value: 2 })).toBe(2);
    await first.close();
    // The client's kept connection sees the old server's close (a request on it before that
    // would be cut off, as on any server that goes away between calls).
    await new Promise((resolve) => setTimeout(resolve, 200));

    let runs = 0;
    const handlers = { ...echoHandlers(other), echoInt: ({ value }: Record<string, unknown>) => { runs++; return value; } };
    const second = await listen(`http://127.0.0.1:${port}/`, other, handlers);
    servers.push(second);
    expect(await client.call('echoInt', { value: 3 })).toBe(3);
    expect(runs).toBe(1);
    expect(await client.call('echoInt', { value: 4 })).toBe(4);
    expect(runs).toBe(2);
    // NONE to the remembered handshake (with the server's protocol and hash), then BOTH to our
    // protocol sent with the hash learned, then BOTH to hashes alone.
    expect(client.handshakes.map((h) => h.response.match)).toEqual(['BOTH', 'BOTH', 'NONE', 'BOTH', 'BOTH']);
    expect(client.handshakes[3]?.request.clientProtocol).toBe(protocol.text);
    expect(client.handshakes[4]?.request.clientProtocol).toBeNull();
    expect(client.handshakes[4]?.request.serverHash.equals(other.hash)).toBe(true);
    await client.close();
  });
});
