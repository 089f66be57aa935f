// The avro-js adapter through the contract (harness/contract/avro.ts), in-process on loopback: its
// client against its own server (in its worker thread) and against our impls/avro stack both
// ways, over http and tcp. Where avro-js is wrong, the test pins what it does (the conformance
// suites and suites/known-failures.json carry the cases); these are unit tests, not conformance.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvroClientHandle, AvroImplementation, AvroServerHandle, AvroTarget } from '../../harness/contract/avro.ts';
import { avroErrorOf } from '../../harness/contract/avro.ts';
import { freePort, LOOPBACK } from '../../harness/net/ports.ts';
import { handlersFor } from '../../suites/avro/semantics.ts';
import ours from '../avro/adapter.ts';
import { standardCodec } from '../avro/framing/standard.ts';
import { WireTrace } from '../wire/recorder.ts';
import avroJs from './adapter.ts';

const NS = 'org.conformance.avro';
const text = readFileSync(new URL('../../suites/avro/data/protocols/conformance.avpr', import.meta.url), 'utf8');
const protocol = { name: 'conformance', text };
const messages = Object.keys((JSON.parse(text) as { messages: object }).messages);
const TIMEOUT_MS = 3000;

async function serve(implementation: AvroImplementation, scheme: string): Promise<AvroServerHandle> {
  const listen = implementation.listen;
  if (!listen) throw new Error('no server');
  const url = `${scheme}://${LOOPBACK}:${await freePort()}/`;
  return listen({ url, transport: scheme, protocol }, handlersFor(messages, NS), {});
}

function target(scheme: string, server: AvroServerHandle): AvroTarget {
  return { url: `${scheme}://${LOOPBACK}:${server.port}/`, transport: scheme, protocol };
}

async function client(implementation: AvroImplementation, scheme: string, server: AvroServerHandle, recorder?: WireTrace): Promise<AvroClientHandle> {
  const connect = implementation.connect;
  if (!connect) throw new Error('no client');
  return connect(target(scheme, server), { timeoutMs: TIMEOUT_MS, ...(recorder ? { recorder } : {}) });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

/** The calls every working pair must get right: values, both error kinds, a one-way message. */
async function basicCalls(c: AvroClientHandle): Promise<void> {
  expect(await c.call('echoInt', { value: -7 })).toBe(-7);
  expect(await c.call('echoLong', { value: -(2n ** 40n) })).toBe(-(2n ** 40n));
  expect(await c.call('echoUnion', { value: { [`${NS}.Point`]: { x: 1, y: -1 } } })).toEqual({ [`${NS}.Point`]: { x: 1, y: -1 } });
  expect(avroErrorOf(await failure(c.call('fail', { kind: 'other', code: 1, reason: 'why' })))).toEqual({ kind: 'declared', type: `${NS}.OtherError`, value: { detail: 'why' } });
  const system = avroErrorOf(await failure(c.call('failUndeclared', { reason: 'boom-x' })));
  expect(system?.kind).toBe('system');
  expect(system?.kind === 'system' && system.message).toContain('boom-x');
  expect(await c.call('notify', { note: 'remember me' })).toBeNull();
  expect(await c.call('lastNote', {})).toEqual({ string: 'remember me' });
}

for (const scheme of ['http', 'tcp'] as const) {
  describe(`avro-js client against its own server over ${scheme}`, () => {
    let server: AvroServerHandle;
    beforeAll(async () => { server = await serve(avroJs, scheme); });
    afterAll(() => server.close());

    it('makes calls, raises both error kinds, delivers one-way messages', async () => {
      const c = await client(avroJs, scheme, server);
      await basicCalls(c);
      await c.close();
      expect(server.crashed?.()).toBeUndefined();
    });

    it('keeps longs across the whole 64-bit range (same protocol hash: the registered BigInt long reads them)', async () => {
      const c = await client(avroJs, scheme, server);
      for (const value of [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n]) expect(await c.call('echoLong', { value })).toBe(value);
      await c.close();
    });

    it('carries records, decimals and bytes; drops a "__proto__" map key as avro-js reads maps with obj[key] = value', async () => {
      const c = await client(avroJs, scheme, server);
      const logical = { amount: { unscaled: -123456789n, scale: 4 }, id: '123e4567-e89b-12d3-a456-426614174000', day: 19000, timeMillis: 1, timeMicros: 2n, stampMillis: 3n, stampMicros: 4n };
      expect(await c.call('echoLogical', { value: logical })).toEqual(logical);
      expect(await c.call('echoBytes', { value: Buffer.from([0, 255, 128]) })).toEqual(Buffer.from([0, 255, 128]));
      const map: Record<string, string> = { a: 'b' };
      Object.defineProperty(map, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });
      const echoed = await c.call('echoStringMap', { value: map }) as object;
      expect(Object.keys(echoed)).toEqual(['a']);
      await c.close();
    });

    it('reports the handshakes: one per call over http, one per connection over tcp', async () => {
      const c = await client(avroJs, scheme, server);
      for (const value of [1, 2, 3]) await c.call('echoInt', { value });
      expect(c.handshakes?.().map((h) => h.response.match)).toEqual(scheme === 'http' ? ['BOTH', 'BOTH', 'BOTH'] : ['BOTH']);
      await c.close();
    });
  });
}

describe('avro-js and our stack over http', () => {
  let oursServer: AvroServerHandle;
  let avroJsServer: AvroServerHandle;
  beforeAll(async () => {
    oursServer = await serve(ours, 'http');
    avroJsServer = await serve(avroJs, 'http');
  });
  afterAll(async () => {
    await oursServer.close();
    await avroJsServer.close();
  });

  it('avro-js client -> our server', async () => {
    const c = await client(avroJs, 'http', oursServer);
    await basicCalls(c);
    expect(c.handshakes?.()[0]?.response.match).toBe('NONE'); // each side hashes its own rendering
    await c.close();
  });

  it('our client -> avro-js server', async () => {
    const c = await client(ours, 'http', avroJsServer);
    await basicCalls(c);
    await c.close();
  });

  it('a long beyond 2^53 read through a resolver (the other side hashes differently) fails in avro-js: it reads with the writer\'s default long type', async () => {
    const toOurs = await client(avroJs, 'http', oursServer);
    expect((await failure(toOurs.call('echoLong', { value: 2n ** 53n + 1n })) as Error).message).toBe('potential precision loss');
    await toOurs.close();
    const toAvroJs = await client(ours, 'http', avroJsServer);
    expect(avroErrorOf(await failure(toAvroJs.call('echoLong', { value: 2n ** 53n + 1n })))).toEqual({ kind: 'system', message: 'potential precision loss' });
    await toAvroJs.close();
  });
});

describe('avro-js and our stack over tcp (standard framing, stateful)', () => {
  it('avro-js client -> our server: a bare handshake first, then every answer refused for want of an "id" in its metadata', async () => {
    const server = await serve(ours, 'tcp');
    const trace = new WireTrace();
    const c = await client(avroJs, 'tcp', server, trace);
    expect((await failure(c.call('echoInt', { value: 1 })) as Error).message).toBe('invalid metadata: missing ID');
    const [first] = standardCodec().decoder().push(trace.sentBytes).map((frame) => frame.payload);
    expect(first?.length).toBe(34); // HandshakeRequest alone: hash 16, null, hash 16, null; no call
    await c.close();
    await server.close();
  });

  it('our client -> avro-js server: the call that comes with the handshake is dropped; a call without "id" closes the connection', async () => {
    const server = await serve(avroJs, 'tcp');
    const c = await client(ours, 'tcp', server);
    expect((await failure(c.call('echoInt', { value: 1 })) as Error).message).toMatch(/payload truncated/);
    expect((await failure(c.call('echoInt', { value: 2 })) as Error).message).toMatch(/closed the connection/);
    await c.close();
    expect(server.crashed?.()).toBeUndefined();
    await server.close();
  });
});
