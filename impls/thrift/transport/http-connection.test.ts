// Our plain-socket HTTP client connection against hand-written servers: each way a server may
// delimit an answer (Content-Length kept alive, chunked, HTTP/1.0 until close), reuse of the
// connection, an error status, a connection closed between calls, and a timeout.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientTimeout, TransportError } from '../errors.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { HttpConnection } from './http-connection.ts';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server that answers each complete request (head and Content-Length body) with answer(body). */
async function serve(answer: (body: Buffer, socket: Socket) => void): Promise<{ port: number; connections: () => number; closed: () => number }> {
  let connections = 0;
  let closed = 0;
  const server = createServer((socket) => {
    connections++;
    let held = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('close', () => closed++);
    socket.on('data', (chunk) => {
      held = Buffer.concat([held, chunk]);
      for (;;) {
        const end = held.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(held.toString('latin1', 0, end))?.[1] ?? 0);
        if (held.length < end + 4 + length) return;
        const body = held.subarray(end + 4, end + 4 + length);
        held = held.subarray(end + 4 + length);
        answer(Buffer.from(body), socket);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, connections: () => connections, closed: () => closed };
}

function connection(port: number): HttpConnection {
  return new HttpConnection({ socket: 'tcp', host: '127.0.0.1', port }, DEFAULT_LIMITS, undefined, `http://127.0.0.1:${port}/thrift`, '/thrift', `127.0.0.1:${port}`);
}

const big = Buffer.alloc(200_000, 0x5a);

describe('HttpConnection', () => {
  it('reads Content-Length answers and keeps one connection for every call', async () => {
    const server = await serve((body, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
    });
    const http = connection(server.port);
    for (const body of [Buffer.from('one'), big, Buffer.from('three')]) {
      expect((await http.post([body], body.length, 5000, 'a call')).equals(body)).toBe(true);
    }
    expect(server.connections()).toBe(1);
    http.close();
  });

  it('reads chunked answers', async () => {
    const server = await serve((body, socket) => {
      const half = Math.floor(body.length / 2);
      socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${half.toString(16)}\r\n`);
      socket.write(Buffer.concat([body.subarray(0, half), Buffer.from(`\r\n${(body.length - half).toString(16)}\r\n`), body.subarray(half), Buffer.from('\r\n0\r\n\r\n')]));
    });
    const http = connection(server.port);
    expect((await http.post([big], big.length, 5000, 'a call')).equals(big)).toBe(true);
    expect((await http.post([Buffer.from('xy')], 2, 5000, 'a call')).toString()).toBe('xy');
    expect(server.connections()).toBe(1);
    http.close();
  });

  it('reads chunked answers of changing sizes on one connection (the body buffer is sized from the last one)', async () => {
    // As Jetty answers: a short first chunk, then 32 KiB chunks, each its own write.
    const server = await serve((body, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      let at = 0;
      for (const size of [Math.min(29, body.length), ...Array.from({ length: Math.ceil(Math.max(0, body.length - 29) / 32768) }, () => 32768)]) {
        const piece = body.subarray(at, Math.min(body.length, at + size));
        at += piece.length;
        if (piece.length > 0) socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
      }
      socket.write('0\r\n\r\n');
    });
    const http = connection(server.port);
    const sized = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);
    for (const body of [sized(65_566, 1), sized(65_566, 2), sized(40, 3), sized(65_566, 4), sized(150_000, 5), sized(10, 6), sized(0, 0)]) {
      const answer = await http.post([body], body.length, 5000, 'a call');
      expect(answer.equals(body)).toBe(true);
      // A small answer after a large one is not a view that keeps the large buffer alive: its memory
      // is its own or a slice of Node's pool for small buffers (Buffer.poolSize differs by release).
      if (body.length < 100) expect(answer.buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize);
    }
    expect(server.connections()).toBe(1);
    http.close();
  });

  it('reads answers over 1 MiB into one buffer of their size once the connection has seen one', async () => {
    // Chunked as Jetty does (32 KiB chunks) or with a Content-Length; the first answer grows its buffer.
    let chunked = true;
    const server = await serve((body, socket) => {
      if (!chunked) {
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      for (let at = 0; at < body.length; at += 32768) {
        const piece = body.subarray(at, at + 32768);
        socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
      }
      socket.write('0\r\n\r\n');
    });
    const http = connection(server.port);
    const body = Buffer.alloc(1024 * 1024 + 30, 7);
    for (const [call, kind] of ['chunked', 'chunked', 'content-length', 'content-length'].entries()) {
      chunked = kind === 'chunked';
      const answer = await http.post([body], body.length, 5000, 'a call');
      expect(answer.equals(body)).toBe(true);
      // After the first, not a view of a doubled (2 MiB) buffer: the one allocation of the answer is its size.
      if (call > 0) expect(answer.buffer.byteLength, `call ${call}, ${kind}`).toBe(body.length);
    }
    expect(server.connections()).toBe(1);
    http.close();
  });

  it('reads HTTP/1.0 answers delimited by the end of the connection, on a new connection each', async () => {
    const server = await serve((body, socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), body]));
    });
    const http = connection(server.port);
    expect((await http.post([big], big.length, 5000, 'a call')).equals(big)).toBe(true);
    expect((await http.post([Buffer.from('again')], 5, 5000, 'a call')).toString()).toBe('again');
    expect(server.connections()).toBe(2);
    http.close();
  });

  it('opens a new connection when the server closed the kept-alive one between calls', async () => {
    const server = await serve((body, socket) => {
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    });
    const http = connection(server.port);
    expect((await http.post([Buffer.from('a')], 1, 5000, 'a call')).toString()).toBe('a');
    // Until the client has read the server's end and closed its side, not a fixed wait: in a
    // stalled turn of a loaded loop a timer runs before a pending end is read, and the next call
    // would go out on the closed connection (no client can know of an end it has not read).
    await vi.waitFor(() => expect(server.closed()).toBe(1), { timeout: 2_000, interval: 5 });
    expect((await http.post([Buffer.from('b')], 1, 5000, 'a call')).toString()).toBe('b');
    expect(server.connections()).toBe(2);
    http.close();
  });

  it('fails a call answered with an error status, with the status and the start of the text', async () => {
    const server = await serve((_body, socket) => {
      socket.write('HTTP/1.1 500 Server Error\r\nContent-Length: 12\r\n\r\nit is broken');
    });
    const http = connection(server.port);
    await expect(http.post([Buffer.from('a')], 1, 5000, 'a call')).rejects.toThrow(/HTTP 500 .* for a call: it is broken/);
    http.close();
  });

  it('times out, and a server that never answers does not hold the next call', async () => {
    let calls = 0;
    const server = await serve((body, socket) => {
      if (++calls > 1) socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    });
    const http = connection(server.port);
    await expect(http.post([Buffer.from('a')], 1, 200, 'a call')).rejects.toThrow(ClientTimeout);
    expect((await http.post([Buffer.from('b')], 1, 5000, 'a call')).toString()).toBe('b');
    expect(server.connections()).toBe(2);
    http.close();
    await expect(http.post([Buffer.from('c')], 1, 5000, 'a call')).rejects.toThrow(TransportError);
  });

  it('fails when the server closes without answering', async () => {
    const server = await serve((_body, socket) => socket.destroy());
    const http = connection(server.port);
    await expect(http.post([Buffer.from('a')], 1, 5000, 'a call')).rejects.toThrow(/closed the connection without answering|failed/);
    http.close();
  });
});
