// PlainLink.release: a chunk net read for us is detached (its memory freed at once) only when
// nothing else can hold a view of it.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { deflateSync, constants as zlibConstants } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireRecorder } from '../../wire/recorder.ts';
import { PlainLink, ZlibLink } from './link.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** A connected pair: what `send` writes arrives at the returned link's data events. */
async function pair(recorder?: WireRecorder): Promise<{ link: PlainLink; chunks: Buffer[]; send: (bytes: Buffer) => void }> {
  const { socket, client } = await connected();
  const link = new PlainLink(socket, recorder);
  const chunks: Buffer[] = [];
  link.start({ data: (chunk) => { chunks.push(chunk); }, end: () => undefined, closed: () => undefined, drain: () => undefined });
  return { link, chunks, send: (bytes) => client.write(bytes) };
}

/** Both ends of one loopback connection: `socket` the accepted one. */
async function connected(): Promise<{ socket: Socket; client: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [socket] = await accepted;
  server.close();
  sockets.push(client, socket);
  return { socket, client };
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

describe('ZlibLink', () => {
  // zlib inflates on the thread pool, so the socket's close comes before the inflater's output of
  // the bytes just in front of it: a reply followed at once by the close was lost.
  it('hands over everything the peer sent before it closed, then tells of the close', async () => {
    for (let round = 0; round < 20; round++) {
      const { socket, client } = await connected();
      const events: string[] = [];
      const done = new Promise<void>((resolve) => {
        new ZlibLink(socket).start({
          data: (chunk) => { events.push(`data ${chunk.toString()}`); },
          end: () => { events.push('end'); },
          closed: () => { events.push('closed'); resolve(); },
          drain: () => undefined,
        });
      });
      client.end(deflateSync(Buffer.from('a whole reply'), { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
      await done;
      expect(events.join(', ')).toMatch(/^data a whole reply, (end, )?closed$/);
    }
  });
});
