// Defect 14: every error names what was wrong. A peer protocol text that is garbage surfaced as a
// bare SyntaxError, an aborted HTTP answer as "Error: aborted". Now: "server protocol text is not
// JSON: ...", "client protocol text is not JSON: ..." (sent back to the client in the handshake
// answer), "server closed mid-answer after N of M bytes".
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listen } from '../index.ts';
import { childForSuite } from '../testing/child-process.ts';
import { figure, MB, otherClientServed } from '../testing/figures.ts';
import { echoHandlers, loadProtocol } from '../testing/fixtures.ts';
import { hostileServer } from '../testing/hostile-server.ts';
import { avroString, callBytes, exchangeRaw, framed, handshakeRequest, u32 } from '../testing/raw.ts';
import { httpHead, rawHttpServer } from '../testing/raw-http-server.ts';

const SCHEMES = ['http', 'tcp', 'netty', 'avro'] as const;
const GARBAGE = 'this is not { a protocol';
const protocol = loadProtocol('conformance');

/** HandshakeResponse NONE (enum index 2) with a garbage protocol text, its MD5, no meta. */
const NONE_WITH_GARBAGE = Buffer.concat([
  Buffer.from([4]), Buffer.from([2]), avroString(GARBAGE), Buffer.from([2]), createHash('md5').update(GARBAGE).digest(), Buffer.from([0]),
]);

describe('our client names what was wrong with an answer', () => {
  const suite = childForSuite();

  for (const scheme of SCHEMES) {
    it(`a server protocol text that is not JSON, over ${scheme}`, async () => {
      const server = await hostileServer(scheme, () => NONE_WITH_GARBAGE);
      try {
        const before = await suite.child.usage();
        const outcome = await suite.child.call(`${scheme}://127.0.0.1:${server.port}/`, 'echoInt', { value: 1 }, { timeoutMs: 1_000 });
        const after = await suite.child.usage();
        figure({ defect: '14 garbage server protocol', side: 'client', transport: scheme, bound: 'named error', closeMs: outcome.ms, rssGrowthMb: (after.peakRss - before.rss) / MB, note: outcome.error?.message.slice(0, 90) });
        expect(outcome.error?.name).toBe('AvroTransportError');
        expect(outcome.error?.message).toMatch(/^server protocol text is not JSON: .*"this is not \{ a pr/);
      } finally {
        await server.close();
      }
    });

    it(`a server that closes in the middle of an answer, over ${scheme}`, async () => {
      const server = scheme === 'http'
        ? await rawHttpServer([{ write: httpHead({ 'Content-Length': 1_000 }) }, { write: Buffer.alloc(10) }, { waitMs: 20 }, { close: true }])
        : await hostileServer(scheme, () => ({ raw: scheme === 'netty' ? Buffer.concat([u32(0), u32(1), u32(100), Buffer.alloc(10)]) : Buffer.concat([u32(100), Buffer.alloc(10)]), thenClose: true }));
      try {
        const outcome = await suite.child.call(`${scheme}://127.0.0.1:${server.port}/`, 'echoInt', { value: 1 }, { timeoutMs: 1_000 });
        figure({ defect: '14 answer cut short', side: 'client', transport: scheme, bound: 'named error', closeMs: outcome.ms, note: outcome.error?.message.slice(0, 90) });
        expect(outcome.error?.message).toMatch(scheme === 'http' ? /server closed mid-answer after 10 of 1000 bytes/ : /closed the connection mid-answer, after \d+ bytes/);
      } finally {
        await server.close();
      }
    });
  }
});

describe('our server names what was wrong with a request', () => {
  const suite = childForSuite(SCHEMES);

  for (const scheme of SCHEMES) {
    it(`a client protocol text that is not JSON: a handshake answer that says so, over ${scheme}`, async () => {
      const before = await suite.child.usage();
      const request = Buffer.concat([handshakeRequest(randomBytes(16), GARBAGE, protocol.hash), callBytes('echoInt', Buffer.from([2]))]);
      const outcome = await exchangeRaw(suite.port(scheme), framed(scheme, request), 1_000);
      const after = await suite.child.usage();
      const served = await otherClientServed(`${scheme}://127.0.0.1:${suite.port(scheme)}/`);
      figure({ defect: '14 garbage client protocol', side: 'server', transport: scheme, bound: 'handshake NONE with meta error', closeMs: outcome.answeredAfterMs, rssGrowthMb: (after.peakRss - before.rss) / MB, otherClientServed: served });
      expect(outcome.answer.toString('latin1')).toMatch(/client protocol text is not JSON: /);
      expect(served).toBe(true);
    });
  }

  it('tells its systemError listener too', async () => {
    const errors: string[] = [];
    const server = await listen('tcp://127.0.0.1:0/', protocol, echoHandlers(protocol), { events: { systemError: (message) => errors.push(message) } });
    try {
      const request = Buffer.concat([handshakeRequest(randomBytes(16), GARBAGE, protocol.hash), callBytes('echoInt', Buffer.from([2]))]);
      await exchangeRaw(server.port, framed('tcp', request), 1_000);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^client protocol text is not JSON: /);
    } finally {
      await server.close();
    }
  });
});
