// Defects 6 and 7: counts a peer declares that the bytes present cannot hold. A handshake whose
// meta map claims 2^40 entries, and an echoLongArray whose array claims 2^31-1 items, with no
// entries behind them. Before the guarded readers the server looped forever (6) or ran out of
// heap (7), and our client did the same on such an answer. Each side runs in a child process
// with a 256 MB heap, so that neither can take the test runner down with it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { childForSuite } from '../testing/child-process.ts';
import { figure, MB, otherClientServed } from '../testing/figures.ts';
import { loadProtocol } from '../testing/fixtures.ts';
import { hostileServer } from '../testing/hostile-server.ts';
import { callBytes, exchangeRaw, framed, handshakeRequest, varint } from '../testing/raw.ts';

const SCHEMES = ['http', 'tcp', 'netty', 'avro'] as const;
const protocol = loadProtocol('conformance');
/** 02: the map branch of the meta union; then a block count of 2^40 and nothing after it. */
const HUGE_MAP = Buffer.concat([Buffer.from([2]), varint(2n ** 40n)]);
const HUGE_ARRAY = varint(2 ** 31 - 1);

describe('a server reading declared counts the bytes cannot hold', () => {
  const suite = childForSuite(SCHEMES);

  for (const scheme of SCHEMES) {
    it(`answers or closes at once: a handshake meta map of 2^40 entries over ${scheme}`, async () => {
      const before = await suite.child.usage();
      const payload = handshakeRequest(randomBytes(16), null, randomBytes(16), HUGE_MAP);
      const outcome = await exchangeRaw(suite.port(scheme), framed(scheme, payload), 1_000);
      const after = await suite.child.usage(1_000);
      const served = await otherClientServed(`${scheme}://127.0.0.1:${suite.port(scheme)}/`);
      const reactedMs = outcome.answeredAfterMs ?? outcome.closedAfterMs;
      figure({ defect: '6 meta map 2^40', side: 'server', transport: scheme, bound: 'count x 2 bytes <= bytes left', closeMs: reactedMs, rssGrowthMb: (after.peakRss - before.rss) / MB, otherClientServed: served });
      expect(reactedMs).toBeLessThan(500);
      expect(outcome.answer.toString('latin1')).toMatch(/map/);
      expect(served).toBe(true);
    });

    it(`answers or closes at once: echoLongArray of 2^31-1 items over ${scheme}`, async () => {
      const before = await suite.child.usage();
      const payload = Buffer.concat([handshakeRequest(protocol.hash, protocol.text, protocol.hash), callBytes('echoLongArray', HUGE_ARRAY)]);
      const outcome = await exchangeRaw(suite.port(scheme), framed(scheme, payload), 1_000);
      const after = await suite.child.usage(1_000);
      const served = await otherClientServed(`${scheme}://127.0.0.1:${suite.port(scheme)}/`);
      const reactedMs = outcome.answeredAfterMs ?? outcome.closedAfterMs;
      figure({ defect: '7 array 2^31-1', side: 'server', transport: scheme, bound: 'count x 1 byte <= bytes left', closeMs: reactedMs, rssGrowthMb: (after.peakRss - before.rss) / MB, otherClientServed: served });
      expect(reactedMs).toBeLessThan(500);
      expect(outcome.answer.toString('latin1')).toMatch(/2147483647 items/);
      expect(served).toBe(true);
    });
  }
});

describe('our client reading declared counts the bytes cannot hold', () => {
  const suite = childForSuite();

  for (const scheme of SCHEMES) {
    it(`fails the call at once: a handshake answer whose meta map claims 2^40 entries over ${scheme}`, async () => {
      // match BOTH (0), no server protocol (0), no server hash (0), then the map.
      const server = await hostileServer(scheme, () => Buffer.concat([Buffer.from([0, 0, 0]), HUGE_MAP]));
      try {
        const before = await suite.child.usage();
        const outcome = await suite.child.call(`${scheme}://127.0.0.1:${server.port}/`, 'echoInt', { value: 1 }, { timeoutMs: 1_000 });
        const after = await suite.child.usage(1_000);
        figure({ defect: '6 meta map 2^40', side: 'client', transport: scheme, bound: 'count x 2 bytes <= bytes left', closeMs: outcome.ms, rssGrowthMb: (after.peakRss - before.rss) / MB });
        expect(outcome.ok).toBe(false);
        expect(outcome.error?.message).toMatch(/map .*1099511627776/);
        expect(outcome.ms).toBeLessThan(500);
      } finally {
        await server.close();
      }
    });

    it(`fails the call at once: an echoLongArray answer of 2^31-1 items over ${scheme}`, async () => {
      // Handshake BOTH with nothing else, then call meta {}, no error, the array count.
      const server = await hostileServer(scheme, () => Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from([0, 0]), HUGE_ARRAY]));
      try {
        const before = await suite.child.usage();
        const outcome = await suite.child.call(`${scheme}://127.0.0.1:${server.port}/`, 'echoLongArray', { value: [] }, { timeoutMs: 1_000 });
        const after = await suite.child.usage(1_000);
        figure({ defect: '7 array 2^31-1', side: 'client', transport: scheme, bound: 'count x 1 byte <= bytes left', closeMs: outcome.ms, rssGrowthMb: (after.peakRss - before.rss) / MB });
        expect(outcome.ok).toBe(false);
        expect(outcome.error?.message).toMatch(/2147483647 items/);
        expect(outcome.ms).toBeLessThan(500);
      } finally {
        await server.close();
      }
    });
  }
});
