// Hostile and broken peers against our server and client, with figures: every bad connection is
// closed within a bound and with a logged reason naming what was wrong, memory stays bounded, and
// a valid call on a new connection is answered afterwards.
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApplicationErrorType, connect, decodeAnswer, encodeRequest, loadIdl, RawConnection, serve, SizeError, TransportError, ClientTimeout,
  type Endpoint, type ServeOptions, type ThriftServer,
} from './index.ts';
import { OutputBuffer } from './protocol/output.ts';
import { ourHandlers } from './adapter.ts';
import { IDL_PATH } from '../../suites/thrift/catalogue.ts';
import { thriftHandlers } from '../../suites/thrift/semantics.ts';
import type { ConnectionRecorders, WireRecorder } from '../wire/recorder.ts';
import { sendAndReadLate } from '../wire/testing/late-reader.ts';

const idl = loadIdl(IDL_PATH);
const servers: ThriftServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(transport: string, protocol: string, options: ServeOptions = {}): Promise<{ server: ThriftServer; endpoint: Endpoint; rejects: string[] }> {
  const rejects: string[] = [];
  const server = await serve({ transport, protocol, host: '127.0.0.1', port: 0 }, idl, ourHandlers(thriftHandlers(), ['Conformance', 'Secondary']), {
    defaultService: 'Conformance', onReject: (r) => rejects.push(r), log: () => undefined, ...options,
  });
  servers.push(server);
  return { server, endpoint: { transport, protocol, host: '127.0.0.1', port: server.port }, rejects };
}

/** Prints a measured figure with the test's output (the report quotes them). */
function figure(what: string, ms: number): void {
  console.log(`${what}: closed after ${ms.toFixed(1)} ms`);
}

async function ping(endpoint: Endpoint): Promise<unknown> {
  const client = await connect(endpoint, idl, { timeoutMs: 5000 });
  try {
    return await client.call('Conformance', 'echoString', { value: 'still serving' });
  } finally {
    await client.close();
  }
}

/** Sends bytes on a fresh connection; resolves with what came back and how long until the server closed it. */
function sendRaw(port: number, bytes: Buffer, options: { halfClose?: boolean; waitMs?: number } = {}): Promise<{ received: Buffer; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const started = performance.now();
    const socket: Socket = netConnect({ host: '127.0.0.1', port }, () => {
      socket.write(bytes);
      if (options.halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${options.waitMs ?? 5000} ms`));
    }, options.waitMs ?? 5000);
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(parts), closedAfterMs: performance.now() - started });
    });
  });
}

describe('our server against broken and hostile clients', () => {
  it('closes a connection that sends garbage, says why, and keeps serving', async () => {
    const { endpoint, rejects } = await start('buffered', 'binary');
    const { closedAfterMs } = await sendRaw(endpoint.port ?? 0, Buffer.from('ffffffffdeadbeef00000000', 'hex'));
    figure('garbage on buffered binary', closedAfterMs);
    expect(closedAfterMs).toBeLessThan(500);
    expect(rejects.join('\n')).toMatch(/bad binary protocol version 0xffffffff/);
    expect(await ping(endpoint)).toBe('still serving');
  });

  it('refuses a frame over the limit from its header alone', async () => {
    const { endpoint, rejects } = await start('framed', 'compact');
    const { closedAfterMs } = await sendRaw(endpoint.port ?? 0, Buffer.from('7fffffff82', 'hex'));
    figure('frame header declaring 2 GiB', closedAfterMs);
    expect(closedAfterMs).toBeLessThan(500);
    expect(rejects.join('\n')).toMatch(/frame size 2147483647 is over the limit of 16384000/);
    expect(await ping(endpoint)).toBe('still serving');
  });

  it('answers the 47-byte JSON list bomb with PROTOCOL_ERROR (no made-up elements) and closes', async () => {
    const { endpoint, rejects } = await start('buffered', 'json');
    const { received, closedAfterMs } = await sendRaw(endpoint.port ?? 0, Buffer.from('[1,"echoList",1,7,{"1":{"lst":["i32",100000]}}]'));
    figure('47-byte JSON list bomb', closedAfterMs);
    expect(closedAfterMs).toBeLessThan(500);
    const answer = decodeAnswer(idl, 'json', received);
    expect(answer.outcome).toMatchObject({ kind: 'applicationError', type: ApplicationErrorType.PROTOCOL_ERROR });
    expect(received.length).toBeLessThan(300);
    expect(rejects.join('\n')).toMatch(/cut short or broke a size limit/);
    expect(await ping(endpoint)).toBe('still serving');
  });

  it('closes a message cut short by a half-close at once', async () => {
    const { endpoint, rejects } = await start('buffered', 'compact');
    const call = encodeRequest(idl, 'compact', { method: 'echoString', args: { value: 'cut short' }, seqid: 1 });
    const { closedAfterMs } = await sendRaw(endpoint.port ?? 0, call.subarray(0, 9), { halfClose: true });
    figure('9 bytes of a call, then half-close', closedAfterMs);
    expect(closedAfterMs).toBeLessThan(500);
    expect(rejects.join('\n')).toMatch(/stopped sending inside a message \(9 bytes/);
  });

  it('closes a slow sender that does not finish its message within readTimeoutMs', async () => {
    const { endpoint, rejects } = await start('buffered', 'binary', { limits: { readTimeoutMs: 300 } });
    const call = encodeRequest(idl, 'binary', { method: 'echoString', args: { value: 'slow' }, seqid: 1 });
    const { closedAfterMs } = await sendRaw(endpoint.port ?? 0, call.subarray(0, 10));
    figure('slow sender, readTimeoutMs 300', closedAfterMs);
    expect(closedAfterMs).toBeGreaterThanOrEqual(280);
    expect(closedAfterMs).toBeLessThan(1500);
    expect(rejects.join('\n')).toMatch(/no complete message within 300 ms \(10 bytes of one received\)/);
  });

  it('closes an idle connection after idleTimeoutMs', async () => {
    const { endpoint, rejects } = await start('framed', 'binary', { limits: { idleTimeoutMs: 300 } });
    const { closedAfterMs } = await sendRaw(endpoint.port ?? 0, Buffer.alloc(0));
    figure('idle connection, idleTimeoutMs 300', closedAfterMs);
    expect(closedAfterMs).toBeGreaterThanOrEqual(280);
    expect(closedAfterMs).toBeLessThan(1500);
    expect(rejects.join('\n')).toMatch(/idle for 300 ms/);
  });

  it('refuses connections over maxConnections and serves the others', async () => {
    const { endpoint, server, rejects } = await start('buffered', 'binary', { limits: { maxConnections: 2 } });
    const held = await Promise.all([0, 1].map(() => connect(endpoint, idl, { timeoutMs: 5000 })));
    await held[0]?.call('Conformance', 'ping', {});
    await held[1]?.call('Conformance', 'ping', {});
    expect(server.connections).toBe(2);
    await expect(ping(endpoint)).rejects.toThrow(TransportError);
    expect(rejects.join('\n')).toMatch(/2 connections open \(limit 2\)/);
    for (const c of held) await c?.close();
    // Until the server has seen the closes (not a fixed wait, which a loaded loop can outlast).
    await vi.waitFor(() => expect(server.connections).toBe(0), { timeout: 2_000, interval: 5 });
    expect(await ping(endpoint)).toBe('still serving');
  });

  it('stops reading a client that does not read its answers (backpressure), then carries on', async () => {
    let received = 0;
    const recorders: ConnectionRecorders = { connection: (): WireRecorder => ({ sent: () => undefined, received: (b) => { received += b.length; } }) };
    const { endpoint } = await start('framed', 'binary', { recorders });
    const request = encodeRequest(idl, 'binary', { method: 'echoBinary', args: { value: Buffer.alloc(1024 * 1024, 1) }, seqid: 1 });
    const framed = Buffer.concat(OutputBuffer.holding(request).finishFramed());
    const socket = netConnect({ host: '127.0.0.1', port: endpoint.port ?? 0 });
    await new Promise((r) => socket.once('connect', r));
    socket.pause(); // never read the answers
    let written = 0;
    const rssBefore = process.memoryUsage().rss;
    // Offer 256 requests of 1 MiB; stop when the socket's own buffer is full and no longer drains.
    for (let i = 0; i < 256; i++) {
      written += framed.length;
      if (!socket.write(framed)) {
        const drained = await Promise.race([new Promise((r) => socket.once('drain', () => r(true))), new Promise((r) => setTimeout(() => r(false), 300))]);
        if (!drained) break;
      }
    }
    const receivedWhileStalled = received;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    // The server read a bounded amount (queued requests + unsent answers), far from all offered.
    expect(receivedWhileStalled).toBeLessThan(64 * 1024 * 1024);
    expect(written).toBeGreaterThan(receivedWhileStalled);
    console.log(`backpressure: offered ${(written / 2 ** 20).toFixed(0)} MiB, server read ${(receivedWhileStalled / 2 ** 20).toFixed(1)} MiB while answers were not read; RSS +${(rssGrowth / 2 ** 20).toFixed(0)} MiB (both ends in this process)`);
    socket.destroy();
    expect(await ping(endpoint)).toBe('still serving');
  }, 30_000);

  it('reassembles one 64 MiB buffered message in linear time and answers it', async () => {
    const { endpoint } = await start('buffered', 'binary');
    const client = await connect(endpoint, idl, { timeoutMs: 60_000 });
    const value = Buffer.alloc(64 * 1024 * 1024, 0x61);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const answer = await client.call('Conformance', 'echoBinary', { value }) as Buffer;
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    await client.close();
    expect(answer.length).toBe(value.length);
    expect(answer.equals(value)).toBe(true);
    console.log(`64 MiB echo over buffered binary: ${elapsed.toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU (both ends)`);
    expect(elapsed).toBeLessThan(15_000);
  }, 60_000);
});

describe('our HTTP server against broken clients', () => {
  function post(port: number, path: string, body: Buffer | undefined, headers: Record<string, string | number> = {}, method = 'POST'): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (c: Buffer) => parts.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  it('answers 413 to a declared body over the limit, 405, 404 and 400, and keeps serving', async () => {
    const { endpoint, rejects } = await start('http', 'binary', { limits: { maxMessageSize: 1024 } });
    const port = endpoint.port ?? 0;
    expect((await post(port, '/thrift', undefined, { 'content-length': 1_000_000 })).status).toBe(413);
    expect((await post(port, '/thrift', undefined, {}, 'GET')).status).toBe(405);
    expect((await post(port, '/other', Buffer.from('x'))).status).toBe(404);
    const garbage = await post(port, '/thrift', Buffer.from('ffffffffdeadbeef', 'hex'));
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/bad binary protocol version/);
    expect(rejects.length).toBe(4);
    expect(await ping(endpoint)).toBe('still serving');
  });

  it('stops reading a chunked body at the limit', async () => {
    const { endpoint } = await start('http', 'compact', { limits: { maxMessageSize: 64 * 1024 } });
    const answer = await new Promise<number>((resolve) => {
      const request = httpRequest({ host: '127.0.0.1', port: endpoint.port, path: '/thrift', method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', () => resolve(-1));
      // A compact call of ping whose argument struct never ends: i64 field 1 = 0, again and again
      // (06 02 00), so the body stays a plausible message until it passes the limit.
      request.write(Buffer.from('822101047069 6e67'.replaceAll(' ', ''), 'hex'));
      const chunk = Buffer.from('060200'.repeat(5461), 'hex');
      const pump = (): void => {
        while (!request.destroyed && request.write(chunk)) { /* until the server stops reading */ }
        if (!request.destroyed) request.once('drain', pump);
      };
      pump();
    });
    expect([413, -1]).toContain(answer);
    expect(await ping(endpoint)).toBe('still serving');
  });

  // One whole request on a keep-alive connection, so that no half-read request's timeout can close
  // it instead: only the idle timeout on the answer the kernel could not take does.
  it('lets a client that never reads a large answer go at the idle timeout', async () => {
    const { endpoint } = await start('http', 'binary', { limits: { idleTimeoutMs: 400 } });
    const value = Buffer.alloc(16 * 2 ** 20, 7);
    const body = encodeRequest(idl, 'binary', { method: 'echoBinary', args: { value }, seqid: 1 });
    const post = Buffer.concat([Buffer.from(`POST /thrift HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-thrift\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    const { received, ended, lateMs } = await sendAndReadLate(endpoint.port ?? 0, post);
    console.log(`HTTP answer never read, idleTimeoutMs 400: closed before the client read after ${lateMs} ms: ${ended}; ${(received / 2 ** 20).toFixed(1)} MiB of the 16 MiB answer came`);
    expect(ended).toBe(true);
    expect(received).toBeLessThan(value.length);
    expect(await ping(endpoint)).toBe('still serving');
  }, 15_000);

  it('refuses a body that is no Thrift message at its first bytes, not after taking all of it', async () => {
    const { endpoint } = await start('http', 'compact', { limits: { maxMessageSize: 64 * 1024 * 1024 } });
    let written = 0;
    const answer = await new Promise<number>((resolve) => {
      const request = httpRequest({ host: '127.0.0.1', port: endpoint.port, path: '/thrift', method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', () => resolve(-1));
      const zeros = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (!request.destroyed && written < 32 * 1024 * 1024 && request.write(zeros)) written += zeros.length;
        if (!request.destroyed && written < 32 * 1024 * 1024) request.once('drain', pump);
        else if (!request.destroyed) request.end();
      };
      pump();
    });
    expect([400, -1]).toContain(answer);
    expect(written).toBeLessThan(8 * 1024 * 1024);
    expect(await ping(endpoint)).toBe('still serving');
  });
});

describe('our clients against broken servers', () => {
  it('HTTP: an endless chunked answer fails at the size limit and is not read on', async () => {
    let sent = 0;
    let closed = false;
    const server = createHttpServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/x-thrift' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = (): void => {
        for (let more = true; more && !response.destroyed;) {
          more = response.write(chunk);
          sent += chunk.length;
        }
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
      response.on('close', () => { closed = true; });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    let received = 0;
    const client = await connect({ transport: 'http', protocol: 'binary', host: '127.0.0.1', port }, idl, {
      timeoutMs: 10_000, limits: { maxMessageSize: 1024 * 1024 }, recorder: { sent: () => undefined, received: (b) => { received += b.length; } },
    });
    const started = performance.now();
    await expect(client.call('Conformance', 'ping', {})).rejects.toThrow(SizeError);
    const failedAfter = performance.now() - started;
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 2_000, interval: 5 });
    const sentAfterFailure = sent;
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBeLessThanOrEqual(1024 * 1024);
    expect(sent - sentAfterFailure).toBe(0);
    console.log(`endless HTTP answer: failed after ${failedAfter.toFixed(0)} ms having kept ${(received / 1024).toFixed(0)} KiB; the server could write ${(sent / 2 ** 20).toFixed(1)} MiB before the connection closed`);
    await client.close();
    server.close();
  });

  it('socket: an answer stream of garbage fails the call with the reason, not a hang', async () => {
    const server = (await import('node:net')).createServer((socket) => {
      socket.on('data', () => socket.write(Buffer.from('ffffffff00000000', 'hex')));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = await connect({ transport: 'buffered', protocol: 'binary', host: '127.0.0.1', port }, idl, { timeoutMs: 5000 });
    await expect(client.call('Conformance', 'ping', {})).rejects.toThrow(/bad binary protocol version/);
    await client.close();
    server.close();
  });

  // zlib inflates on the thread pool (the zlib transport's stream, THeader's zlib transform), so the
  // close came before the reply just in front of it was inflated, and the reply was lost.
  for (const transport of ['buffered', 'framed', 'zlib', 'header', 'header-zlib'] as const) {
    it(`${transport}: a reply the server sends just before it closes is taken`, async () => {
      const { endpoint } = await start(transport, 'binary');
      // In front of our server: forwards the call, then writes the whole reply and the close in one go.
      const relay = (await import('node:net')).createServer((socket) => {
        socket.on('error', () => undefined);
        const upstream = netConnect({ host: '127.0.0.1', port: endpoint.port as number });
        upstream.on('error', () => undefined);
        const reply: Buffer[] = [];
        let quiet: NodeJS.Timeout | undefined;
        upstream.on('data', (chunk: Buffer) => {
          reply.push(chunk);
          clearTimeout(quiet);
          // The reply is whole once our server has written nothing more for a while (generous:
          // a reply cut in two by a loaded machine would fail the test, not the client).
          quiet = setTimeout(() => {
            socket.end(Buffer.concat(reply));
            upstream.destroy();
          }, 150);
        });
        socket.on('data', (chunk: Buffer) => upstream.write(chunk));
      });
      await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
      const port = (relay.address() as { port: number }).port;
      try {
        // Before the fix every round failed (header-zlib and zlib): three show it.
        for (let round = 0; round < 3; round++) {
          const client = await connect({ ...endpoint, port }, idl, { timeoutMs: 5000 });
          expect(await client.call('Conformance', 'echoString', { value: `reply ${round}` })).toBe(`reply ${round}`);
          await client.close();
          // The raw connection the error-path procedures use, likewise.
          const raw = await RawConnection.open({ ...endpoint, port }, { timeoutMs: 5000 });
          await raw.send(encodeRequest(idl, 'binary', { service: 'Conformance', method: 'echoString', args: { value: `raw ${round}` }, seqid: 7 }), 7);
          const answer = decodeAnswer(idl, 'binary', await raw.receive(), { service: 'Conformance', method: 'echoString' });
          expect(answer.outcome).toEqual({ kind: 'response', value: `raw ${round}` });
          raw.close();
        }
      } finally {
        relay.close();
      }
    });
  }

  it('a call times out with ClientTimeout and the connection is closed', async () => {
    const server = (await import('node:net')).createServer((socket) => { socket.on('error', () => undefined); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = await connect({ transport: 'framed', protocol: 'compact', host: '127.0.0.1', port }, idl, { timeoutMs: 200 });
    const started = performance.now();
    await expect(client.call('Conformance', 'ping', {})).rejects.toThrow(ClientTimeout);
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(client.call('Conformance', 'ping', {})).rejects.toThrow(ClientTimeout);
    await client.close();
    server.close();
  });
});
