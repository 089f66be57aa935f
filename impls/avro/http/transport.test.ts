// Our HTTP client transport against a hand-written HTTP server on loopback: the answer shapes a
// real server may choose (Content-Length, chunked, close-delimited), connection reuse, and a
// server that closes a kept-alive connection.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeStandard } from '../framing/standard.ts';
import { coalesce } from '../../wire/coalesce.ts';
import { frameLengths } from '../testing/raw.ts';
import { HTTP_FRAME_BYTES } from './frames.ts';
import { httpClientTransport } from './transport.ts';

const PAYLOAD = Buffer.from('answer bytes');
const BODY = encodeStandard(PAYLOAD);

type Answer = (socket: Socket, requestNumber: number) => void;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that reads each request (head and Content-Length body) and answers with `answer`. */
async function serve(answer: Answer): Promise<{ url: URL; connections: () => number }> {
  let connections = 0;
  const listening = createServer((socket) => {
    connections++;
    let buffered = Buffer.alloc(0);
    let requests = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.toString('latin1', 0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        answer(socket, ++requests);
      }
    });
    socket.on('error', () => undefined);
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/`), connections: () => connections };
}

function contentLength(socket: Socket): void {
  socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: avro/binary\r\nContent-Length: ${BODY.length}\r\n\r\n`), BODY]));
}

describe('Avro HTTP client transport', () => {
  it('reuses one connection for calls one after another (Content-Length answers)', async () => {
    const { url, connections } = await serve(contentLength);
    const transport = httpClientTransport(url, { timeoutMs: 2000 });
    for (let i = 0; i < 3; i++) expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
    expect(connections()).toBe(1);
    await transport.close();
  });

  it('closes a connection left idle for 5 s, and opens a new one for the next call', async () => {
    let closed = 0;
    const { url, connections } = await serve((socket, n) => {
      if (n === 1) socket.once('close', () => closed++);
      contentLength(socket);
    });
    // Only the clocks of the idle sweep are faked: sockets and their I/O stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const transport = httpClientTransport(url, { timeoutMs: 60_000 });
      expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
      await vi.advanceTimersByTimeAsync(4_000);
      expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
      expect(connections()).toBe(1); // idle 4 s: used again, and idle from now on
      await vi.advanceTimersByTimeAsync(4_000);
      await vi.waitFor(() => expect(closed).toBe(0));
      await vi.advanceTimersByTimeAsync(1_100);
      await vi.waitFor(() => expect(closed).toBe(1));
      expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
      expect(connections()).toBe(2);
      await transport.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads a chunked answer, cut anywhere', async () => {
    const { url } = await serve((socket) => {
      const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
      const chunked = `${head}5\r\n${BODY.toString('latin1', 0, 5)}\r\n${(BODY.length - 5).toString(16)}\r\n${BODY.toString('latin1', 5)}\r\n0\r\n\r\n`;
      const bytes = Buffer.from(chunked, 'latin1');
      for (let at = 0; at < bytes.length; at += 7) socket.write(bytes.subarray(at, at + 7));
    });
    const transport = httpClientTransport(url, { timeoutMs: 2000 });
    expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
    await transport.close();
  });

  it('reads an answer delimited by the end of the connection, and opens a new one for the next call', async () => {
    const { url, connections } = await serve((socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: avro/binary\r\n\r\n'), BODY]));
    });
    const transport = httpClientTransport(url, { timeoutMs: 2000 });
    expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
    expect(await transport.exchange([Buffer.from('y')], true)).toEqual(PAYLOAD);
    expect(connections()).toBe(2);
    await transport.close();
  });

  it.each([
    ['closed', (socket: Socket) => socket.end()],
    ['sent anything on', (socket: Socket) => socket.write('HTTP/1.1 200 OK\r\n')],
  ])('does not reuse a connection the server %s while it was idle', async (_what, idle) => {
    // The next call waits until the client has let the first connection go (its close reaches
    // the server), not a fixed time: in a loaded CI run the server's timer once fired in the
    // same stalled turn of the loop as the test's 100 ms wait, after the client had taken the
    // connection for its next call, and the stray bytes landed in that call's answer.
    let dropped: Promise<void> | undefined;
    const { url, connections } = await serve((socket) => {
      contentLength(socket);
      dropped ??= new Promise((resolve) => socket.once('close', () => resolve()));
      setTimeout(() => idle(socket), 20);
    });
    const transport = httpClientTransport(url, { timeoutMs: 2000 });
    expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
    let timer: NodeJS.Timeout | undefined;
    const kept = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the client kept the connection 2 s after the server\'s bytes')), 2_000);
    });
    await Promise.race([dropped, kept]).finally(() => clearTimeout(timer));
    expect(await transport.exchange([Buffer.from('y')], true)).toEqual(PAYLOAD);
    expect(connections()).toBe(2);
    await transport.close();
  });

  it('reads large answers framed every 8 KiB in many reads, one call after another on one connection', async () => {
    // As Jetty answers: Content-Length, one frame per 8 KiB, written in pieces that cut frames and headers.
    const sizes = [300_000, 70_000, 2_000_000, 5];
    const messages = sizes.map((size, n) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + n) & 0xff)));
    const { url, connections } = await serve((socket, request) => {
      const message = messages[request - 1] as Buffer;
      const frames: Buffer[] = [];
      for (let at = 0; at < message.length; at += 8192) frames.push(encodeStandard(message.subarray(at, at + 8192)).subarray(0, -4));
      const body = Buffer.concat([...frames, Buffer.alloc(4)]);
      const bytes = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      for (let at = 0; at < bytes.length; at += 32_771) socket.write(bytes.subarray(at, at + 32_771));
    });
    const transport = httpClientTransport(url, { timeoutMs: 5000 });
    const answers: Buffer[] = [];
    for (let i = 0; i < messages.length; i++) answers.push(await transport.exchange([Buffer.from('x')], true) as Buffer);
    // Every answer intact after all the later reads went through the same read buffer.
    for (const [i, answer] of answers.entries()) expect(answer.equals(messages[i] as Buffer), `answer ${i}`).toBe(true);
    expect(connections()).toBe(1);
    await transport.close();
  });

  it('frames a large request in frames of at most HTTP_FRAME_BYTES (no humongous allocations in a G1 JVM)', async () => {
    const bodies: Buffer[] = [];
    const listening = createServer((socket) => {
      let held = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        held = Buffer.concat([held, chunk]);
        const end = held.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(held.toString('latin1', 0, end))?.[1] ?? 0);
        if (held.length < end + 4 + length) return;
        bodies.push(held.subarray(end + 4, end + 4 + length));
        contentLength(socket);
      });
      socket.on('error', () => undefined);
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const transport = httpClientTransport(new URL(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/`), { timeoutMs: 5000 });
    const parts = [Buffer.alloc(100, 1), Buffer.alloc(1024 * 1024, 2)];
    expect(await transport.exchange(parts, true)).toEqual(PAYLOAD);
    const body = bodies[0] as Buffer;
    const frames = frameLengths(body);
    expect(Math.max(...frames)).toBe(HTTP_FRAME_BYTES);
    expect(frames.reduce((sum, n) => sum + n, 0)).toBe(100 + 1024 * 1024);
    await transport.close();
  });


  it('names the status and the start of the body of a non-200 answer', async () => {
    const { url } = await serve((socket) => socket.write('HTTP/1.1 500 Server Error\r\nContent-Length: 4\r\n\r\noops'));
    const transport = httpClientTransport(url, { timeoutMs: 2000 });
    await expect(transport.exchange([Buffer.from('x')], true)).rejects.toThrow(/HTTP 500 .*: oops/);
    await transport.close();
  });

  it('fails when the server closes mid-answer, and when it answers garbage', async () => {
    let calls = 0;
    const { url } = await serve((socket) => {
      if (++calls === 1) socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\nab`);
      else socket.end('garbage\r\n\r\n');
    });
    const transport = httpClientTransport(url, { timeoutMs: 2000 });
    await expect(transport.exchange([Buffer.from('x')], true)).rejects.toThrow(/closed mid-answer after 2 of \d+ bytes/);
    await expect(transport.exchange([Buffer.from('x')], true)).rejects.toThrow(/not an HTTP\/1.x status line/);
    await transport.close();
  });

  it('gives up at its deadline on a server that never answers', async () => {
    const { url } = await serve(() => undefined);
    const transport = httpClientTransport(url, { timeoutMs: 200 });
    await expect(transport.exchange([Buffer.from('x')], true)).rejects.toThrow(/no HTTP response within 200 ms/);
    await transport.close();
  });
  it('holds every call to its own deadline, one after another', async () => {
    // The first call arms the deadline watch; the second, started later and never answered,
    // fails at its own deadline, not at the first call's.
    let requests = 0;
    const { url } = await serve((socket) => {
      if (++requests === 1) contentLength(socket);
    });
    const transport = httpClientTransport(url, { timeoutMs: 300 });
    expect(await transport.exchange([Buffer.from('x')], true)).toEqual(PAYLOAD);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = performance.now();
    await expect(transport.exchange([Buffer.from('y')], true)).rejects.toThrow(/no HTTP response within 300 ms/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await transport.close();
  });
});

describe('coalesce', () => {
  it('joins runs of small parts, keeps large parts as they are, and drops empty ones', () => {
    const large = Buffer.alloc(5000, 1);
    const parts = [Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cd'), large, Buffer.from('ef')];
    const out = coalesce(parts);
    expect(out.map((b) => b.length)).toEqual([4, 5000, 2]);
    expect(out[1]).toBe(large);
    expect(Buffer.concat(out)).toEqual(Buffer.concat(parts));
  });
});
