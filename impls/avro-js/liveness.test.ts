// The adapter's early failure when avro-js lets a complete response pass without any reaction
// (liveness.ts): counted messages, and two fake servers that answer with an empty message (what
// the Python reference sends when it cannot read avro-js's protocol, see known failures).
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK } from '../../harness/net/ports.ts';
import adapter from './adapter.ts';
import { MessageCounter } from './liveness.ts';

const text = readFileSync(new URL('../../suites/avro/data/protocols/mail.avpr', import.meta.url), 'utf8');
const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0]);
const TIMEOUT_MS = 5000;

describe('MessageCounter (standard framing)', () => {
  it('counts messages across chunk boundaries, frames of any size, and empty messages', () => {
    const counter = new MessageCounter();
    const message = Buffer.from([0, 0, 0, 2, 7, 7, 0, 0, 0, 1, 9, 0, 0, 0, 0]);
    expect(counter.push(message.subarray(0, 3))).toBe(0);
    expect(counter.push(message.subarray(3, 12))).toBe(0);
    expect(counter.push(message.subarray(12))).toBe(1);
    expect(counter.lastMessageSize).toBe(15);
    expect(counter.push(Buffer.concat([EMPTY_MESSAGE, message]))).toBe(2);
    expect(counter.lastMessageSize).toBe(15);
  });
});

describe('a complete response avro-js ignores fails the call at once, not at the timeout', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  async function listening(s: Server): Promise<number> {
    server = s;
    await new Promise<void>((resolve) => s.listen(0, LOOPBACK, resolve));
    return (s.address() as AddressInfo).port;
  }

  it('over http: an empty message as the whole response body', async () => {
    const http = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(EMPTY_MESSAGE));
    });
    const port = await listening(http);
    const client = await adapter.connect?.({ url: `http://${LOOPBACK}:${port}/`, transport: 'http', protocol: { name: 'mail', text } }, { timeoutMs: TIMEOUT_MS });
    const started = performance.now();
    await expect(client?.call('send', { message: { to: 'a', from: 'b', body: 'c' } })).rejects.toThrow(/did not react to a complete 4-byte response message/);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS / 2);
    await client?.close();
    http.closeAllConnections();
  });

  it('over tcp: an empty message in answer to the handshake', async () => {
    const tcp = createTcpServer((socket) => {
      socket.once('data', () => socket.write(EMPTY_MESSAGE));
      socket.on('error', () => undefined);
    });
    const port = await listening(tcp);
    const client = await adapter.connect?.({ url: `tcp://${LOOPBACK}:${port}/`, transport: 'tcp', protocol: { name: 'mail', text } }, { timeoutMs: TIMEOUT_MS });
    const started = performance.now();
    await expect(client?.call('send', { message: { to: 'a', from: 'b', body: 'c' } })).rejects.toThrow(/did not react to a complete 4-byte response message/);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS / 2);
    await client?.close();
  });
});
