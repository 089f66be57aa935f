// The socket server answers a request in the tick that read it when the handler is synchronous,
// and later when it returns a promise. Standard framing has no serials, so answers must still
// leave in request order when a slow asynchronous answer comes before quick synchronous ones.
import { afterEach, describe, expect, it } from 'vitest';
import adapter from '../adapter.ts';
import { AvroRemoteError, connectClient, listen, type AvroClient, type AvroServer } from '../index.ts';
import { echoHandlers, loadProtocol, protocolText } from '../testing/fixtures.ts';

const protocol = loadProtocol('conformance');
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of opened.splice(0)) await closable.close();
});

async function pair(scheme: 'tcp' | 'avro' | 'netty', slowValue: number): Promise<{ server: AvroServer; client: AvroClient }> {
  const handlers = {
    ...echoHandlers(protocol),
    echoInt: ({ value }: Record<string, unknown>) => (value === slowValue ? new Promise((resolve) => setTimeout(() => resolve(value), 50)) : value),
  };
  const server = await listen(`${scheme}://127.0.0.1:0/`, protocol, handlers);
  opened.push(server);
  const client = await connectClient(`${scheme}://127.0.0.1:${server.port}/`, protocol, { timeoutMs: 5_000 });
  opened.push(client);
  return { server, client };
}

describe('answers of one connection, synchronous and asynchronous handlers mixed', () => {
  for (const scheme of ['tcp', 'avro', 'netty'] as const) {
    it(`each call gets its own answer over ${scheme}`, async () => {
      const { client } = await pair(scheme, 1);
      await client.call('echoInt', { value: 0 }); // the handshake
      const values = [1, 2, 3, 4, 1, 5];
      expect(await Promise.all(values.map((value) => client.call('echoInt', { value })))).toEqual(values);
    });
  }
});

describe('the adapter keeps synchronous handlers synchronous', () => {
  it('maps declared errors thrown at once and rejected later', async () => {
    const text = protocolText('conformance');
    const target = (port: number) => ({ url: `tcp://127.0.0.1:${port}/`, transport: 'tcp', protocol: { name: 'conformance', text } });
    const error = (code: number) => Object.assign(new Error('declared'), { avro: { kind: 'declared', type: `${protocol.namespace}.ConformanceError`, value: { code, reason: 'r' } } });
    const server = await adapter.listen?.(target(0), {
      ...Object.fromEntries([...protocol.messages.keys()].map((name) => [name, ({ value }: Record<string, unknown>) => value as never])),
      fail: ({ code }) => {
        if (code === 1) throw error(1);
        return Promise.reject(error(2));
      },
    }, {});
    if (!server) throw new Error('the adapter has no server');
    opened.push(server);
    const client = await connectClient(`tcp://127.0.0.1:${server.port}/`, protocol, { timeoutMs: 5_000 });
    opened.push(client);
    for (const code of [1, 2]) {
      const failure = await client.call('fail', { kind: 'conformance', code, reason: 'r' }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AvroRemoteError);
      expect((failure as AvroRemoteError).value).toMatchObject({ code });
    }
  });
});

describe('large answers read into our client\'s own slabs', () => {
  for (const scheme of ['tcp', 'avro', 'netty'] as const) {
    it(`stay intact while later answers of other sizes arrive over ${scheme}`, async () => {
      const { client } = await pair(scheme, -1);
      const sizes = [1024 * 1024, 3, 1024 * 1024, 200_000, 70_000, 1024 * 1024 + 5, 0, 1024 * 1024];
      const kept: Array<{ sent: Buffer; got: unknown }> = [];
      for (const [index, size] of sizes.entries()) {
        const sent = Buffer.alloc(size);
        for (let i = 0; i < size; i += 997) sent[i] = (index * 31 + i) % 256;
        kept.push({ sent, got: await client.call('echoBytes', { value: sent }) });
      }
      // Every answer is compared after all of them came: none was overwritten by a later read.
      for (const { sent, got } of kept) expect(Buffer.isBuffer(got) && got.equals(sent)).toBe(true);
    });
  }
});
