// npm-thrift's client against its own server through the contract, once per offer: a few calls,
// a declared exception and a one-way call each. What npm thrift gets wrong on the wire is found
// against the reference peers (suites/known-failures.json); here only what the adapter adds (the
// plumbing of errors, timeouts, recorders, crash reports) is checked, and npm thrift's own
// behaviour where a test would otherwise have to hide it (default-service servers, one-way crashes).
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { thriftErrorOf, type ThriftArgs, type ThriftEndpoint, type ThriftHandlers } from '../../harness/contract/thrift.ts';
import type { Offer } from '../../harness/matrix/axes.ts';
import { makeTlsMaterial, type TlsFiles } from '../../harness/run/tls.ts';
import adapter from './adapter.ts';
import { thrift } from './runtime.ts';

const IDL_PATH = new URL('../../suites/thrift/data/conformance.thrift', import.meta.url).pathname;
const idl = { path: IDL_PATH, text: readFileSync(IDL_PATH, 'utf8') };
let scratch = '';
let tls: TlsFiles | undefined;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'npm-thrift-test-'));
  // The run's TLS material as the harness makes it for the matrix (harness/run/tls.ts).
  tls = await makeTlsMaterial(scratch);
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function declared(type: string, value: Record<string, unknown>): Error {
  return Object.assign(new Error(type), { thrift: { kind: 'declared', type, value } });
}

function handlers(): ThriftHandlers {
  let note = '';
  return {
    Conformance: {
      ping: () => null,
      echoString: ({ value }: ThriftArgs) => value,
      echoI64: ({ value }: ThriftArgs) => value,
      echoScalars: ({ value }: ThriftArgs) => value,
      fail: ({ kind, code, reason }: ThriftArgs) => {
        if (kind === 'conformance') throw declared('ConformanceError', { code, reason });
        return null;
      },
      notify: ({ note: given }: ThriftArgs) => {
        note = String(given);
        return null;
      },
      lastNote: () => note,
    },
    Secondary: { echoString: ({ value }: ThriftArgs) => `secondary:${String(value)}` },
  };
}

let sockets = 0;
function endpointFor(offer: Offer): ThriftEndpoint {
  const socket = (offer.socket ?? 'tcp') as ThriftEndpoint['socket'];
  return {
    transport: offer.transport, protocol: offer.protocol, socket, host: '127.0.0.1', port: 0, httpPath: '/thrift', idl,
    ...(socket === 'unix' ? { path: join(scratch, `s${sockets++}.sock`) } : {}),
    ...(socket === 'tls' ? { tls } : {}),
  };
}

async function withServer<T>(offer: Offer, body: (endpoint: ThriftEndpoint) => Promise<T>, given = handlers()): Promise<T> {
  const endpoint = endpointFor(offer);
  const services = offer.protocol.startsWith('multiplexed-') || offer.protocol.startsWith('default-service-') ? ['Conformance', 'Secondary'] : ['Conformance'];
  const serve = adapter.serve;
  if (!serve) throw new Error('npm-thrift has no server');
  const server = await serve({ ...endpoint, serverKind: offer.serverKind ?? 'createServer', services }, given, {});
  try {
    return await body({ ...endpoint, port: server.port });
  } finally {
    await server.close();
  }
}

async function client(endpoint: ThriftEndpoint, timeoutMs = 5_000) {
  const connect = adapter.connect;
  if (!connect) throw new Error('npm-thrift has no client');
  return connect(endpoint, { timeoutMs });
}

const label = (offer: Offer): string => `${offer.transport} ${offer.protocol} ${offer.socket ?? 'tcp'}`;

describe('capabilities', () => {
  it('offers the same ways as client and as server', () => {
    const key = (o: Offer): string => label(o);
    expect(adapter.capabilities.client.map(key).sort()).toEqual(adapter.capabilities.server.map(key).sort());
  });
});

describe.concurrent('its client against its own server, every offer', () => {
  for (const offer of adapter.capabilities.server) {
    if (offer.protocol.startsWith('default-service-')) continue;
    it(label(offer), async () => {
      await withServer(offer, async (endpoint) => {
        const c = await client(endpoint);
        try {
          expect(await c.call('Conformance', 'ping', {})).toBeNull();
          expect(await c.call('Conformance', 'echoString', { value: 'h\u00e9llo \u2713' })).toBe('h\u00e9llo \u2713');
          expect(await c.call('Conformance', 'echoI64', { value: -9223372036854775808n })).toBe(-9223372036854775808n);
          const failure = await c.call('Conformance', 'fail', { kind: 'conformance', code: 42, reason: 'r' }).catch((e: unknown) => e);
          expect(thriftErrorOf(failure)).toEqual({ kind: 'declared', type: 'ConformanceError', value: { code: 42, reason: 'r' } });
          expect(await c.call('Conformance', 'notify', { note: 'n \u2713' })).toBeNull();
          expect(await c.call('Conformance', 'lastNote', {})).toBe('n \u2713');
          if (offer.protocol.startsWith('multiplexed-')) expect(await c.call('Secondary', 'echoString', { value: 'x' })).toBe('secondary:x');
        } finally {
          await c.close();
        }
      });
    }, 30_000);
  }
});

describe('npm thrift behaviour the adapter passes on as it is', () => {
  it('default-service-*: its MultiplexedProcessor has no default service, so a plain call ends the connection', async () => {
    await withServer({ transport: 'framed', protocol: 'default-service-binary' }, async (endpoint) => {
      const c = await client(endpoint);
      try {
        const outcome = await c.call('Conformance', 'ping', {}).then(() => 'answered', (e: unknown) => String(e));
        expect(outcome).toMatch(/connection closed/);
      } finally {
        await c.close();
      }
    });
  });

  it('a one-way handler that rejects is an unhandled rejection: the server thread dies and crashed() says so', async () => {
    const given = handlers();
    const failing: ThriftHandlers = { ...given, Conformance: { ...given.Conformance, notify: () => Promise.reject(new Error('one-way failed')) } };
    const offer = { transport: 'buffered', protocol: 'binary' };
    const endpoint = endpointFor(offer);
    const server = await adapter.serve?.({ ...endpoint, serverKind: 'createServer', services: ['Conformance'] }, failing, {});
    if (!server) throw new Error('no server');
    try {
      const c = await client({ ...endpoint, port: server.port });
      await c.call('Conformance', 'notify', { note: 'x' });
      await expect.poll(() => server.crashed?.(), { timeout: 5_000 }).toMatch(/one-way failed/);
      await c.close();
    } finally {
      await server.close();
    }
  });

  it('an undeclared handler error reaches its client as a TApplicationException of npm thrift\'s choosing', async () => {
    const given = handlers();
    const failing: ThriftHandlers = { ...given, Conformance: { ...given.Conformance, echoString: () => { throw new Error('boom'); } } };
    await withServer({ transport: 'framed', protocol: 'compact' }, async (endpoint) => {
      const c = await client(endpoint);
      try {
        const error = thriftErrorOf(await c.call('Conformance', 'echoString', { value: 'x' }).catch((e: unknown) => e));
        expect(error?.kind).toBe('application');
        expect(error && 'message' in error ? error.message : '').toBe('boom');
      } finally {
        await c.close();
      }
    }, failing);
  });
});

describe('client plumbing', () => {
  let silent: Server;
  const held = new Set<Socket>();
  let silentReceived = 0;
  beforeAll(async () => {
    silent = createServer((s) => {
      held.add(s);
      s.on('data', (bytes: Buffer) => { silentReceived += bytes.length; });
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    for (const s of held) s.destroy();
    silent.close();
  });
  const silentEndpoint = (transport: string): ThriftEndpoint => {
    const address = silent.address();
    return { transport, protocol: 'binary', socket: 'tcp', host: '127.0.0.1', port: typeof address === 'object' && address ? address.port : 0, httpPath: '/thrift', idl };
  };

  it('a call without an answer fails after timeoutMs', async () => {
    const c = await client(silentEndpoint('buffered'), 300);
    const started = performance.now(); // monotonic: a step of the real-time clock is no time passing
    await expect(c.call('Conformance', 'ping', {})).rejects.toThrow(/within 300 ms/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await c.close();
  });

  it('a call in flight fails as soon as the server closes the connection', async () => {
    const c = await client(silentEndpoint('framed'), 10_000);
    const before = silentReceived;
    const pending = c.call('Conformance', 'ping', {});
    // Once the server has read the request (a fixed wait could end before a loaded loop reads it,
    // and closing a socket with unread bytes resets it instead).
    await vi.waitFor(() => expect(silentReceived).toBeGreaterThan(before), { timeout: 2_000, interval: 5 });
    for (const s of held) s.destroy();
    await expect(pending).rejects.toThrow(/connection closed/);
    await c.close();
  });

  it('a TApplicationException answer arrives in the contract shape, with its type', async () => {
    // A stub that answers any call with TApplicationException(INVALID_TRANSFORM, "no"), written by hand.
    const stub = createServer((socket) => {
      socket.once('data', (request: Buffer) => {
        const seqid = request.readInt32BE(8 + request.readInt32BE(4));
        const name = request.subarray(8, 8 + request.readInt32BE(4));
        const head = Buffer.alloc(4);
        head.writeUInt32BE(0x80010003);
        const body = Buffer.concat([head, Buffer.from([0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 0]),
          Buffer.from('0b000100000002', 'hex'), Buffer.from('no'), Buffer.from('08000200000008', 'hex'), Buffer.from([0])]);
        body.writeInt32BE(seqid, 8 + name.length);
        socket.write(body);
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    try {
      const address = stub.address();
      const c = await client({ ...silentEndpoint('buffered'), port: typeof address === 'object' && address ? address.port : 0 });
      expect(thriftErrorOf(await c.call('Conformance', 'ping', {}).catch((e: unknown) => e))).toEqual({ kind: 'application', type: 8, message: 'no' });
      await c.close();
    } finally {
      stub.close();
    }
  });

  it('refuses what the generated code cannot express instead of dropping it', async () => {
    const c = await client(silentEndpoint('buffered'), 1_000);
    await expect(c.call('Conformance', 'echoUuid', { value: '00000000-0000-0000-0000-000000000000' })).rejects.toThrow(/no echoUuid/);
    await expect(c.call('Conformance', 'echoEvolving', { value: { writtenAs: 'EvolvingV2', value: { id: 1, flag: true } } })).rejects.toThrow(/only as Evolving/);
    await expect(c.call('Conformance', 'echoTagged', { value: { id: '00000000-0000-0000-0000-000000000000' } })).rejects.toThrow(/no field id/);
    await c.close();
  });
});

describe('recorders', () => {
  for (const transport of ['framed', 'http']) {
    it(`${transport}: both sides report the bytes they write and read`, async () => {
      const seen = { clientSent: [] as Buffer[], clientReceived: [] as Buffer[], serverSent: [] as Buffer[], serverReceived: [] as Buffer[] };
      const endpoint = endpointFor({ transport, protocol: 'binary' });
      const server = await adapter.serve?.({ ...endpoint, serverKind: 'createServer', services: ['Conformance'] }, handlers(), {
        recorders: { connection: () => ({ sent: (b) => seen.serverSent.push(Buffer.from(b)), received: (b) => seen.serverReceived.push(Buffer.from(b)) }) },
      });
      if (!server) throw new Error('no server');
      try {
        const c = await adapter.connect?.({ ...endpoint, port: server.port }, {
          timeoutMs: 5_000, recorder: { sent: (b) => seen.clientSent.push(Buffer.from(b)), received: (b) => seen.clientReceived.push(Buffer.from(b)) },
        });
        expect(await c?.call('Conformance', 'ping', {})).toBeNull();
        await c?.close();
        await expect.poll(() => seen.serverSent.length).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
      const frame = transport === 'framed' ? '00000011' : '';
      expect(Buffer.concat(seen.clientSent).toString('hex')).toBe(`${frame}800100010000000470696e670000000100`);
      expect(Buffer.concat(seen.serverReceived)).toEqual(Buffer.concat(seen.clientSent));
      expect(Buffer.concat(seen.clientReceived)).toEqual(Buffer.concat(seen.serverSent));
      expect(Buffer.concat(seen.serverSent).toString('hex')).toBe(`${frame}800100020000000470696e670000000100`);
    });
  }
});

describe('the i64 helpers the adapter uses are npm thrift\'s own', () => {
  it('fromBigInt / toBigInt round-trip the extremes', () => {
    for (const value of [-(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n, -1n, 0n]) expect(thrift.toBigInt(thrift.fromBigInt(value))).toBe(value);
  });
});
