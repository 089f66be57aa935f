// The fault proxy against a local echo server (the real-peer run is suites/self-check).
import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK } from '../net/ports.ts';
import { startFaultProxy } from './fault-proxy.ts';

let echo: Server;
let echoPort = 0;

beforeAll(async () => {
  // Echoes everything, and ends its side when the client ends (so half-close must get through).
  echo = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => echo.listen(0, LOOPBACK, resolve));
  const address = echo.address();
  echoPort = typeof address === 'object' && address ? address.port : 0;
});

afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

/**
 * Sends the chunks one at a time, each once the echo of everything before it has come back: the
 * proxy has read the earlier chunk by then, so each chunk reaches it as a read of its own. (A pause
 * between writes did not ensure that: on a loaded machine two writes 20 ms apart arrived as one.)
 */
function exchange(port: number, chunks: readonly Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let received = 0;
    let sent = 0;
    let next = 0;
    const socket = connect({ host: LOOPBACK, port, allowHalfOpen: true });
    const sendNext = (): void => {
      const chunk = chunks[next++];
      if (chunk === undefined) {
        socket.end();
        return;
      }
      sent += chunk.length;
      socket.write(chunk);
    };
    socket.on('connect', sendNext);
    socket.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      received += chunk.length;
      if (received === sent) sendNext();
    });
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
  });
}

describe('the fault proxy', () => {
  it('inverts the last byte of the first chunk of each connection and forwards the rest untouched, half-close included', async () => {
    const proxy = await startFaultProxy(echoPort, 1024);
    try {
      const answer = await exchange(proxy.port, [Buffer.from([1, 2, 3]), Buffer.from([4, 5])]);
      expect([...answer]).toEqual([1, 2, 0xfc, 4, 5]);
      expect(proxy.faults).toEqual(['connection 1: byte 2 inverted, 03 -> fc']);
      expect([...proxy.trace.sentBytes]).toEqual([1, 2, 0xfc, 4, 5]);
      expect([...proxy.trace.receivedBytes]).toEqual([1, 2, 0xfc, 4, 5]);
      await exchange(proxy.port, [Buffer.from([9])]);
      expect(proxy.faults[1]).toBe('connection 2: byte 0 inverted, 09 -> f6');
    } finally {
      await proxy.close();
    }
  });
});
