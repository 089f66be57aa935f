// Defect 8: the handshake caches trusted the peer's hash. One request pairing a real client's
// MD5 with another protocol text broke every later client with that hash ("No such remote
// message") until restart, and every new hash added a parsed protocol that was never released.
// Now a text is cached only under the hash it hashes to, and the caches are bounded (LRU).
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connectClient, listen, parseProtocol, type Protocol } from '../index.ts';
import { childForSuite } from '../testing/child-process.ts';
import { figure, MB, otherClientServed } from '../testing/figures.ts';
import { echoHandlers, loadProtocol, protocolText } from '../testing/fixtures.ts';
import { hostileServer } from '../testing/hostile-server.ts';
import { callBytes, exchangeRaw, framed, handshakeRequest, varint } from '../testing/raw.ts';
import { encodeStandard } from '../framing/standard.ts';

const SCHEMES = ['http', 'tcp', 'netty', 'avro'] as const;
const conformance = loadProtocol('conformance');
const EMPTY_PROTOCOL = JSON.stringify({ protocol: 'Planted', messages: {} });

/** The conformance protocol with one more message: a hash nobody has used yet. */
function variant(tag: string): Protocol {
  const json = JSON.parse(protocolText('conformance')) as { messages: Record<string, unknown> };
  json.messages[`only${tag}`] = { request: [], response: 'null' };
  return parseProtocol(json);
}

describe('the server\'s cache of client protocols', () => {
  // A small cache bound keeps the flood below short: each conformance-sized text costs ~10 ms to parse.
  const suite = childForSuite(SCHEMES, { limits: { maxCachedProtocols: 16 } });

  for (const scheme of SCHEMES) {
    it(`cannot be poisoned: a real client's hash with another text, over ${scheme}`, async () => {
      const victim = variant(`Victim${scheme}${randomBytes(4).toString('hex')}`);
      const before = await suite.child.usage();
      // The planted request: the victim's hash, a protocol with no messages, and a ping.
      const planted = Buffer.concat([handshakeRequest(victim.hash, EMPTY_PROTOCOL, randomBytes(16)), callBytes('', Buffer.alloc(0))]);
      const outcome = await exchangeRaw(suite.port(scheme), framed(scheme, planted), 1_000);
      const client = await connectClient(`${scheme}://127.0.0.1:${suite.port(scheme)}/`, victim, { timeoutMs: 1_500 });
      let answered: unknown;
      try {
        answered = await client.call('echoInt', { value: 5 }).catch((error: unknown) => String(error));
      } finally {
        await client.close();
      }
      const after = await suite.child.usage();
      figure({ defect: '8 poisoned hash', side: 'server', transport: scheme, bound: 'text must hash to its hash', closeMs: outcome.answeredAfterMs, rssGrowthMb: (after.peakRss - before.rss) / MB, otherClientServed: answered === 5 });
      expect(answered).toBe(5);
    });
  }

  it('stays bounded under 40 unverifiable and 40 distinct verified protocols (HTTP, cache bound 16)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: Buffer): Promise<void> => new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: suite.port('http'), method: 'POST', path: '/', agent, headers: { 'Content-Length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(body);
    });
    const text = protocolText('conformance');
    const before = await suite.child.usage();
    const started = performance.now();
    const ping = callBytes('', Buffer.alloc(0));
    for (let i = 0; i < 40; i++) await post(encodeStandard(Buffer.concat([handshakeRequest(randomBytes(16), text, randomBytes(16)), ping])));
    for (let i = 0; i < 40; i++) {
      const json = JSON.parse(text) as { messages: Record<string, unknown> };
      json.messages[`extra${i}`] = { request: [], response: 'null' };
      const distinct = JSON.stringify(json);
      const hash = createHash('md5').update(distinct).digest();
      await post(encodeStandard(Buffer.concat([handshakeRequest(hash, distinct, randomBytes(16)), ping])));
    }
    const after = await suite.child.usage(3_000);
    const cached = (await suite.child.cached())['http'];
    agent.destroy();
    const served = await otherClientServed(`http://127.0.0.1:${suite.port('http')}/`);
    const growth = (after.peakRss - before.rss) / MB;
    const retained = (after.retained - before.retained) / MB;
    figure({ defect: '8 cache flood 40+40', side: 'server', transport: 'http', bound: `LRU of maxCachedProtocols (16 here, 128 by default) and 32 Mi chars; unverified never cached; ${cached} cached`, closeMs: performance.now() - started, rssGrowthMb: growth, otherClientServed: served, note: `closeMs = time for all 80 requests; retained after GC +${retained.toFixed(1)} MB` });
    expect(retained).toBeLessThan(6);
    expect(cached).toBeLessThanOrEqual(16);
    expect(growth).toBeLessThan(60);
    expect(served).toBe(true);
  }, 10_000);
});

describe('the client\'s cache of server protocols', () => {
  it('cannot be poisoned by a server that pairs another server\'s hash with its own text', async () => {
    const realProtocol = variant(`Real${randomBytes(4).toString('hex')}`);
    const real = await listen('tcp://127.0.0.1:0/', realProtocol, echoHandlers(realProtocol));
    // The evil server answers CLIENT with the real server's hash and a protocol without messages,
    // then a response to echoInt.
    const evil = await hostileServer('tcp', () => Buffer.concat([
      Buffer.from([2]), Buffer.from([2]), varint(EMPTY_PROTOCOL.length), Buffer.from(EMPTY_PROTOCOL), Buffer.from([2]), realProtocol.hash, Buffer.from([0]),
      Buffer.from([0, 0]), varint(1),
    ]));
    try {
      const dupe = await connectClient(`tcp://127.0.0.1:${evil.port}/`, conformance, { timeoutMs: 1_000 });
      await dupe.call('echoInt', { value: 1 }).catch(() => undefined);
      await dupe.close();
      // A client that knows the real server's hash (BOTH, no protocol text in the answer) must
      // read the answer with the real server's protocol, or its own: never the planted one.
      const client = await connectClient(`tcp://127.0.0.1:${real.port}/`, conformance, { timeoutMs: 1_000, serverHashGuess: realProtocol.hash, sendProtocolFirst: true });
      try {
        expect(await client.call('echoInt', { value: 6 })).toBe(6);
        expect(client.handshakes.map((h) => h.response.match)).toEqual(['BOTH']);
      } finally {
        await client.close();
      }
      figure({ defect: '8 poisoned hash', side: 'client', transport: 'tcp', bound: 'text must hash to its hash; LRU 128', otherClientServed: true });
    } finally {
      await evil.close();
      await real.close();
    }
  });
});
