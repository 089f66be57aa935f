// Our stack against avsc 5's services (impls/avsc-services), in process over loopback: Netty
// framing (avsc's stateful transport) and HTTP. Large payloads cross several Netty buffers of
// 8 KB, which is how we (like Java) now write them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAvsc, listenAvsc } from '../avsc-services/index.ts';
import { connectClient, listen, type AvroServer } from './index.ts';
import { echoHandlers, loadProtocol } from './testing/fixtures.ts';

const protocol = loadProtocol('conformance');
const BIG = Buffer.alloc(100_000, 0x42);

for (const scheme of ['netty', 'http'] as const) {
  describe(`avsc services and our stack over ${scheme}://`, () => {
    let ours: AvroServer;
    let theirs: Awaited<ReturnType<typeof listenAvsc>>;
    beforeAll(async () => {
      ours = await listen(`${scheme}://127.0.0.1:0/`, protocol, echoHandlers(protocol));
      theirs = await listenAvsc(`${scheme}://127.0.0.1:0/`, JSON.parse(protocol.text) as object, echoHandlers(protocol));
    });
    afterAll(async () => {
      await ours.close();
      await theirs.close();
    });

    it('our client calls the avsc server', async () => {
      const client = await connectClient(`${scheme}://127.0.0.1:${theirs.port}/`, protocol, { timeoutMs: 3_000 });
      try {
        expect(await Promise.all([1, 2, 3].map((value) => client.call('echoInt', { value })))).toEqual([1, 2, 3]);
        expect((await client.call('echoBytes', { value: BIG }) as Buffer).equals(BIG)).toBe(true);
      } finally {
        await client.close();
      }
    });

    it('the avsc client calls our server', async () => {
      const caller = await connectAvsc(`${scheme}://127.0.0.1:${ours.port}/`, JSON.parse(protocol.text) as object, { timeoutMs: 3_000 });
      try {
        expect(await caller.call('echoInt', { value: 5 })).toBe(5);
        expect((await caller.call('echoBytes', { value: BIG }) as Buffer).equals(BIG)).toBe(true);
      } finally {
        await caller.close();
      }
    });
  });
}
