// Defects 9 and 11: HTTP bodies. A 100 MB body of zeros (inside the size limit) used to take the
// server past 3 GB (one message object per 4 zero bytes); it is now refused after its first
// empty frame. The HTTP client's timeout did not abort the request, so a trickling server kept
// the socket after the call failed; and an answer's size was checked only as it streamed in.
import { describe, expect, it, vi } from 'vitest';
import { childForSuite } from '../testing/child-process.ts';
import { figure, MB, otherClientServed } from '../testing/figures.ts';
import { exchangeRaw, httpPost, u32 } from '../testing/raw.ts';
import { httpHead, rawHttpServer } from '../testing/raw-http-server.ts';

const BODY = 100 * MB;
const ZEROS = Buffer.alloc(MB);

/** The same megabyte of zeros again and again: no memory on this side. */
function* zeros(head: Buffer, megabytes: number): Generator<Buffer> {
  yield head;
  for (let i = 0; i < megabytes; i++) yield ZEROS;
}

describe('a server given 100 MB of zeros', () => {
  const suite = childForSuite(['http', 'tcp', 'netty', 'avro']);

  for (const scheme of ['http', 'tcp', 'netty', 'avro'] as const) {
    it(`refuses it at the first empty message and closes, over ${scheme}`, async () => {
      const before = await suite.child.usage();
      const head = scheme === 'http' ? httpPost(Buffer.alloc(0), BODY).subarray(0) : Buffer.alloc(0);
      // avro: a SASL START first, so that the zeros reach the message framing.
      const start = scheme === 'avro' ? Buffer.from([0, 0, 0, 0, 9, ...Buffer.from('ANONYMOUS'), 0, 0, 0, 0]) : head;
      const outcome = await exchangeRaw(suite.port(scheme), zeros(start, 100), 2_000);
      const after = await suite.child.usage(2_000);
      const served = await otherClientServed(`${scheme}://127.0.0.1:${suite.port(scheme)}/`);
      figure({ defect: '9 100 MB of zeros', side: 'server', transport: scheme, bound: 'empty message refused; <= 64 empty frames after a message (HTTP)', closeMs: outcome.closedSinceStartMs, rssGrowthMb: (after.peakRss - before.rss) / MB, otherClientServed: served, note: `${(outcome.bytesWritten / MB).toFixed(0)} MB written before the close` });
      expect(outcome.closedSinceStartMs).toBeLessThan(1_000);
      expect(outcome.bytesWritten).toBeLessThan(BODY);
      if (scheme === 'http') expect(outcome.answer.toString('latin1')).toMatch(/^HTTP\/1\.1 400 [\s\S]*empty message/);
      expect((after.peakRss - before.rss) / MB).toBeLessThan(100);
      expect(served).toBe(true);
    });
  }

  it('refuses a body that declares more than the limit before reading it, and closes', async () => {
    const outcome = await exchangeRaw(suite.port('http'), httpPost(Buffer.alloc(0), 200 * MB), 1_000);
    const served = await otherClientServed(`http://127.0.0.1:${suite.port('http')}/`);
    figure({ defect: '9 declared 200 MB body', side: 'server', transport: 'http', bound: 'Content-Length <= maxMessageBytes + framing', closeMs: outcome.closedAfterMs, otherClientServed: served });
    expect(outcome.answer.toString('latin1')).toMatch(/^HTTP\/1\.1 413 [\s\S]*exceeds the limit/);
    expect(outcome.closedAfterMs).toBeLessThan(200);
    expect(served).toBe(true);
  });
});

describe('our HTTP client against a server that trickles or floods its answer', () => {
  const suite = childForSuite();

  it('aborts at its timeout and lets the socket go (one byte per 100 ms)', async () => {
    const server = await rawHttpServer([{ write: httpHead({ 'Content-Length': 1_000 }) }, { repeat: [{ write: Buffer.from([0]) }, { waitMs: 100 }], times: 100 }]);
    try {
      const outcome = await suite.child.call(`http://127.0.0.1:${server.port}/`, 'echoInt', { value: 1 }, { timeoutMs: 500 });
      const failedAt = performance.now();
      while (server.openSockets() > 0 && performance.now() - failedAt < 1_000) await new Promise((resolve) => setTimeout(resolve, 10));
      const letGoMs = performance.now() - failedAt;
      figure({ defect: '11 trickled answer', side: 'client', transport: 'http', bound: 'deadline timeoutMs for the whole exchange, socket destroyed', closeMs: outcome.ms + letGoMs, note: `call failed after ${outcome.ms.toFixed(0)} ms; socket gone ${letGoMs.toFixed(0)} ms later` });
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.message).toMatch(/no (HTTP )?response within 500 ms/);
      expect(server.openSockets()).toBe(0);
      expect(letGoMs).toBeLessThan(200);
    } finally {
      await server.close();
    }
  });

  it('refuses an answer that declares more than the limit, before reading it', async () => {
    const server = await rawHttpServer([{ write: httpHead({ 'Content-Length': 10 * 1024 * MB }) }, { repeat: [{ write: ZEROS }, { waitMs: 5 }], times: 200 }]);
    try {
      const before = await suite.child.usage();
      const outcome = await suite.child.call(`http://127.0.0.1:${server.port}/`, 'echoInt', { value: 1 }, { timeoutMs: 2_000, limits: { maxMessageBytes: MB } });
      const after = await suite.child.usage();
      await vi.waitFor(() => expect(server.openSockets()).toBe(0), { timeout: 1_000, interval: 5 });
      figure({ defect: '11 oversize answer (declared)', side: 'client', transport: 'http', bound: 'Content-Length <= maxMessageBytes + framing', closeMs: outcome.ms, rssGrowthMb: (after.peakRss - before.rss) / MB });
      expect(outcome.error?.message).toMatch(/declares 10737418240 bytes, more than the limit/);
      expect(outcome.ms).toBeLessThan(500);
      expect(server.openSockets()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('stops reading an answer without a length once it passes the limit', async () => {
    // Frames of 8 KB, each fine on its own, that never end the message.
    const frames = Buffer.concat(Array.from({ length: 128 }, () => Buffer.concat([u32(8192), Buffer.alloc(8192, 1)])));
    const server = await rawHttpServer([{ write: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n' }, { repeat: [{ write: frames }, { waitMs: 5 }], times: 200 }]);
    try {
      const before = await suite.child.usage();
      const outcome = await suite.child.call(`http://127.0.0.1:${server.port}/`, 'echoInt', { value: 1 }, { timeoutMs: 2_000, limits: { maxMessageBytes: MB } });
      const after = await suite.child.usage();
      await vi.waitFor(() => expect(server.openSockets()).toBe(0), { timeout: 1_000, interval: 5 });
      figure({ defect: '11 oversize answer (streamed)', side: 'client', transport: 'http', bound: 'body <= maxMessageBytes + framing', closeMs: outcome.ms, rssGrowthMb: (after.peakRss - before.rss) / MB });
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.message).toMatch(/exceeds/);
      expect(server.openSockets()).toBe(0);
    } finally {
      await server.close();
    }
  });
});
