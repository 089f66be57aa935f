// PlainLink.release: a chunk net read for us is detached (its memory freed at once) only when
// nothing else can hold a view of it.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireRecorder } from '../../wire/recorder.ts';
import { PlainLink } from './link.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** A connected pair: what `send` writes arrives at the returned link's data events. */
async function pair(recorder?: WireRecorder): Promise<{ link: PlainLink; chunks: Buffer[]; send: (bytes: Buffer) => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [socket] = await accepted;
  server.close();
  sockets.push(client, socket);
  const link = new PlainLink(socket, recorder);
  const chunks: Buffer[] = [];
  link.start({ data: (chunk) => { chunks.push(chunk); }, end: () => undefined, closed: () => undefined, drain: () => undefined });
  return { link, chunks, send: (bytes) => client.write(bytes) };
}

async function received(chunks: Buffer[], bytes: number): Promise<void> {
  while (chunks.reduce((n, c) => n + c.length, 0) < bytes) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('PlainLink.release', () => {
  it('detaches a chunk net read into an ArrayBuffer of its own', async () => {
    const { link, chunks, send } = await pair();
    send(Buffer.from('hello'));
    await received(chunks, 5);
    const chunk = chunks[0] as Buffer;
    expect(chunk.toString()).toBe('hello');
    link.release(chunk);
    expect(chunk.buffer.byteLength).toBe(0);
  });

  it('leaves a chunk a recorder was given, and a view into a shared buffer', async () => {
    const recorded: Buffer[] = [];
    const { link, chunks, send } = await pair({ sent: () => undefined, received: (chunk) => { recorded.push(chunk); } });
    send(Buffer.from('kept'));
    await received(chunks, 4);
    link.release(chunks[0] as Buffer);
    expect(recorded.map((c) => c.toString()).join('')).toBe('kept');

    const plain = await pair();
    const pooled = Buffer.from('pool');
    plain.link.release(pooled);
    expect(pooled.toString()).toBe('pool');
  });
});
