import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpReplayClient, ResponseReader } from './replay-http.ts';

const servers: Array<Server | HttpServer> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});

const text = (b: Buffer | undefined): string | undefined => b?.toString('latin1');

/** Feeds the bytes to a reader one at a time, as the slowest network would: the bodies it completes. */
function byteByByte(reader: ResponseReader, bytes: string): string[] {
  const bodies: string[] = [];
  for (const byte of Buffer.from(bytes, 'latin1')) {
    const body = reader.push(Buffer.from([byte]));
    if (body !== undefined) bodies.push(body.toString('latin1'));
  }
  return bodies;
}

describe('the HTTP replay client\'s response reader', () => {
  it('finds a body by its Content-Length, two answers back to back, however the bytes are cut', () => {
    const answers = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: x\r\n\r\nhelloHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n';
    const reader = new ResponseReader();
    expect(byteByByte(reader, answers)).toEqual(['hello', '']);
    expect(reader.keepAlive).toBe(true);
    expect(text(new ResponseReader().push(Buffer.from(answers, 'latin1')))).toBe('hello');
  });

  it('joins chunks, with extensions and trailers, however the bytes are cut', () => {
    const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n!\r\n0\r\nTrailer: t\r\n\r\n';
    expect(byteByByte(new ResponseReader(), answer)).toEqual(['hello!']);
  });

  it('reads an answer without a length to the end of the connection, and says the connection ends', () => {
    const reader = new ResponseReader();
    expect(reader.push(Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: x\r\n\r\nall of', 'latin1'))).toBeUndefined();
    expect(reader.push(Buffer.from(' it', 'latin1'))).toBeUndefined();
    expect(reader.keepAlive).toBe(false);
    expect(text(reader.closed())).toBe('all of it');
  });

  it('knows when the server ends the connection after an answer (HTTP/1.0, Connection: close)', () => {
    const keepAlive = (head: string): boolean => {
      const reader = new ResponseReader();
      reader.push(Buffer.from(`${head}\r\nContent-Length: 0\r\n\r\n`, 'latin1'));
      return reader.keepAlive;
    };
    expect(keepAlive('HTTP/1.1 200 OK')).toBe(true);
    expect(keepAlive('HTTP/1.1 200 OK\r\nConnection: close')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK\r\nConnection: Keep-Alive')).toBe(true);
  });

  it('refuses what is not a whole 200 answer within its bounds', () => {
    expect(() => new ResponseReader().push(Buffer.from('HTTP/1.1 500 Oops\r\n\r\n', 'latin1'))).toThrow(/500 Oops/);
    expect(() => new ResponseReader().push(Buffer.from('SSH-2.0\r\n\r\n', 'latin1'))).toThrow(/not an HTTP/);
    expect(() => new ResponseReader().push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n', 'latin1'))).toThrow(/Content-Length/);
    expect(() => new ResponseReader().push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'latin1'))).toThrow(/chunk size/);
    expect(() => new ResponseReader().push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc', 'latin1'))).toThrow(/CRLF/);
    expect(() => new ResponseReader().push(Buffer.alloc(17 * 1024, 0x41))).toThrow(/head beyond/);
    const cut = new ResponseReader();
    cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc', 'latin1'));
    expect(() => cut.closed()).toThrow(/middle of an answer/);
  });
});

describe('the HTTP replay client on a socket', () => {
  async function listen(server: Server | HttpServer): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('posts its body on one kept-alive connection and returns each answer\'s body', async () => {
    const connections: unknown[] = [];
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['content-type']} ${Buffer.concat(body).toString()}`);
        // Chunked (no length) on every second answer.
        if (seen.length % 2 === 0) res.write('ec');
        res.end(seen.length % 2 === 0 ? 'ho' : 'echo');
      });
    });
    server.on('connection', (c) => connections.push(c));
    const port = await listen(server);
    const client = await HttpReplayClient.open('127.0.0.1', port, { path: '/thrift', contentType: 'application/x-thrift', body: Buffer.from('call') });
    for (let i = 0; i < 4; i++) expect(text(await client.call())).toBe('echo');
    client.close();
    expect(seen).toEqual(Array(4).fill('POST /thrift application/x-thrift call'));
    expect(connections).toHaveLength(1);
  });

  it('opens a new connection for each call when the server ends every connection after its answer', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\nContent-Type: avro/binary\r\n\r\nuntil the end'));
    });
    const port = await listen(server);
    const client = await HttpReplayClient.open('127.0.0.1', port, { path: '/', contentType: 'avro/binary', body: Buffer.from('x') });
    for (let i = 0; i < 3; i++) expect(text(await client.call())).toBe('until the end');
    client.close();
    expect(connections).toBe(3);
  });

  it('fails a call whose connection closes before the answer is whole', async () => {
    const server = createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'));
    });
    const port = await listen(server);
    const client = await HttpReplayClient.open('127.0.0.1', port, { path: '/', contentType: 'avro/binary', body: Buffer.from('x') });
    await expect(client.call()).rejects.toThrow(/middle of an answer/);
    client.close();
  });
});
