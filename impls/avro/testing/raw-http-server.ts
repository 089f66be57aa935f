// A hand-written HTTP server for client tests: it reads one request (headers and a body of the
// declared length) and then plays a script on the raw socket: bytes, pauses, a close.
import { createServer, type Socket } from 'node:net';
import { listenTracked, type TrackedServer } from './tracked-server.ts';

export type Step = { readonly write: Buffer | string } | { readonly waitMs: number } | { readonly close: true } | { readonly repeat: readonly Step[]; readonly times: number };

export type RawHttpServer = TrackedServer;

export async function rawHttpServer(script: readonly Step[]): Promise<RawHttpServer> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let received = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      if (started) return;
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(received.toString('latin1', 0, end))?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      started = true;
      void play(socket, script);
    });
  });
  return listenTracked(server);
}

async function play(socket: Socket, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    if (socket.destroyed) return;
    if ('write' in step) socket.write(step.write);
    else if ('waitMs' in step) await new Promise((resolve) => setTimeout(resolve, step.waitMs));
    else if ('close' in step) socket.destroy();
    else for (let i = 0; i < step.times && !socket.destroyed; i++) await play(socket, step.repeat);
  }
}

export function httpHead(headers: Record<string, string | number>): string {
  return `HTTP/1.1 200 OK\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}
