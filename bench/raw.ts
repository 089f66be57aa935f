// The raw floor: the same payload echoed over a plain loopback TCP connection by Node on both sides,
// with no RPC at all: a 4-byte big-endian length, then the bytes; the server sends back exactly
// what it read, the client checks it. An int payload is 4 bytes.
import type { Server } from 'node:net';
import { CannedClient, LENGTH_PREFIXED, serveCanned } from './canned.ts';

export function serveRaw(host: string, port: number): Promise<Server> {
  return serveCanned(host, port, { boundary: LENGTH_PREFIXED, answerer: () => (message) => message });
}

export const RawClient = {
  /** One raw connection: call() sends the message and resolves when the same bytes came back. */
  open(host: string, port: number, payload: Buffer): Promise<CannedClient> {
    const message = Buffer.allocUnsafe(4 + payload.length);
    message.writeUInt32BE(payload.length, 0);
    payload.copy(message, 4);
    return CannedClient.open(host, port, { request: message, answer: message, boundary: LENGTH_PREFIXED });
  },
};
