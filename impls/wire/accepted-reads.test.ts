import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { readInto } from './accepted-reads.ts';

const LOOPBACK = '127.0.0.1';

interface Accepted {
  readonly server: Server;
  readonly port: number;
  /** The re-made sockets, in the order they were accepted (undefined where readInto fell back). */
  readonly adopted: (Socket | undefined)[];
  /** Per connection, what its callback got (copied: the buffer is read into again). */
  readonly received: Buffer[][];
}

let servers: Server[] = [];
let clients: Socket[] = [];

afterEach(async () => {
  // Clients first: a server closes only once its connections have.
  for (const client of clients) client.destroy();
  clients = [];
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  servers = [];
});

/** A server whose connections all read into one shared buffer through readInto. */
async function acceptInto(shared: Buffer, onSocket?: (socket: Socket, index: number) => void): Promise<Accepted> {
  const adopted: (Socket | undefined)[] = [];
  const received: Buffer[][] = [];
  const server = createServer({ pauseOnConnect: true }, (accepted) => {
    const index = adopted.length;
    const chunks: Buffer[] = [];
    received.push(chunks);
    const socket = readInto(accepted, {
      buffer: shared,
      callback: (bytes, buffer) => {
        chunks.push(Buffer.from(buffer.subarray(0, bytes)));
        return true;
      },
    });
    adopted.push(socket);
    if (socket) onSocket?.(socket, index);
  });
  servers.push(server);
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0, adopted, received };
}

async function connected(port: number): Promise<Socket> {
  const socket = connect(port, LOOPBACK);
  clients.push(socket);
  await once(socket, 'connect');
  return socket;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe('readInto: an accepted socket re-made to read into our buffer', () => {
  // If this fails after a Node upgrade, net's internals changed: the servers then read as net's do
  // (slower, and with 64 KiB of external memory per read), which this test exists to show.
  it('takes over the handle on the project\'s Node and delivers the bytes to the callback, not as data events', async () => {
    const shared = Buffer.alloc(1024);
    const { port, adopted, received } = await acceptInto(shared, (socket) => {
      socket.on('data', () => {
        throw new Error('onread sockets emit no data events');
      });
    });
    const client = await connected(port);
    client.write('hello');
    await until(() => (received[0] ?? []).length > 0, 'the first read');
    expect(adopted[0]).toBeDefined();
    client.write(' world');
    await until(() => Buffer.concat(received[0] ?? []).toString() === 'hello world', 'both writes');
    client.destroy();
  });

  it('lets two connections share one buffer, each getting its own bytes', async () => {
    const shared = Buffer.alloc(64);
    const { port, received } = await acceptInto(shared);
    const first = await connected(port);
    const second = await connected(port);
    for (let i = 0; i < 20; i++) {
      first.write(`a${i};`);
      second.write(`b${i};`);
      await until(() => Buffer.concat(received[0] ?? []).toString().endsWith(`a${i};`) && Buffer.concat(received[1] ?? []).toString().endsWith(`b${i};`), `round ${i}`);
    }
    expect(Buffer.concat(received[0] ?? []).toString()).toBe(Array.from({ length: 20 }, (_, i) => `a${i};`).join(''));
    expect(Buffer.concat(received[1] ?? []).toString()).toBe(Array.from({ length: 20 }, (_, i) => `b${i};`).join(''));
    first.destroy();
    second.destroy();
  });

  it('writes, ends on the peer\'s end, and gives the server\'s connection count back when it closes', async () => {
    let closed: Promise<unknown> | undefined;
    const { server, port, received } = await acceptInto(Buffer.alloc(256), (socket) => {
      closed = once(socket, 'close');
      socket.on('end', () => socket.end('bye'));
    });
    const client = await connected(port);
    const answer: Buffer[] = [];
    client.on('data', (chunk: Buffer) => answer.push(chunk));
    client.write('ping');
    await until(() => (received[0] ?? []).length > 0, 'the request');
    expect(await connections(server)).toBe(1);
    client.end();
    await once(client, 'close');
    expect(Buffer.concat(answer).toString()).toBe('bye');
    await closed;
    expect(await connections(server)).toBe(0);
  });

  it('stops reading while paused and reads again on resume', async () => {
    let socket: Socket | undefined;
    const { port, received } = await acceptInto(Buffer.alloc(256), (made) => {
      socket = made;
    });
    const client = await connected(port);
    client.write('one');
    await until(() => (received[0] ?? []).length === 1, 'the first read');
    socket?.pause();
    client.write('two');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(received[0] ?? []).toString()).toBe('one');
    socket?.resume();
    await until(() => Buffer.concat(received[0] ?? []).toString() === 'onetwo', 'the read after resume');
    client.destroy();
  });

  it('falls back to the socket as it is, resumed, when it is not paused', async () => {
    const got: Buffer[] = [];
    let fellBack = false;
    const server = createServer((accepted) => {
      accepted.on('data', (chunk: Buffer) => got.push(chunk));
      fellBack = readInto(accepted, { buffer: Buffer.alloc(16), callback: () => true }) === undefined;
    });
    servers.push(server);
    server.listen(0, LOOPBACK);
    await once(server, 'listening');
    const address = server.address();
    const client = await connected(typeof address === 'object' && address !== null ? address.port : 0);
    client.write('plain');
    await until(() => Buffer.concat(got).toString() === 'plain', 'the data event');
    expect(fellBack).toBe(true);
    client.destroy();
  });
});
