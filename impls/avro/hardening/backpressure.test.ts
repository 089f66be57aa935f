// Defect 12: a client that sends requests and never reads the answers made the server buffer
// every answer (102 -> 630 MB for 100k small requests). Now the server stops reading such a
// connection once 64 requests are being answered or 1 MB of answers waits (TCP then pushes back
// on the client's writes). The flood: echoBytes requests of 4 KB, written for one second, answers
// never read.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { childForSuite } from '../testing/child-process.ts';
import { figure, MB, otherClientServed } from '../testing/figures.ts';
import { loadProtocol } from '../testing/fixtures.ts';
import { callBytes, framed, handshakeRequest, httpPost, varint } from '../testing/raw.ts';
import { encodeStandard } from '../framing/standard.ts';
import { encodeNetty } from '../framing/netty.ts';

const protocol = loadProtocol('conformance');
const CALL = callBytes('echoBytes', Buffer.concat([varint(4096), Buffer.alloc(4096, 7)]));

/** The first request (with a handshake) and one more request, as the scheme frames them. */
function requests(scheme: 'http' | 'tcp' | 'netty' | 'avro'): { first: Buffer; next: Buffer } {
  const handshake = handshakeRequest(protocol.hash, null, protocol.hash);
  const first = Buffer.concat([handshake, CALL]);
  switch (scheme) {
    case 'http': return { first: httpPost(encodeStandard(first)).subarray(0), next: keepAlive(httpPost(encodeStandard(first))) };
    case 'netty': return { first: framed('netty', first), next: encodeNetty(2, [CALL]) };
    default: return { first: framed(scheme, first), next: encodeStandard(CALL) };
  }
}

/** Our raw POST asks for Connection: close; a pipelining client keeps the connection. */
function keepAlive(post: Buffer): Buffer {
  return Buffer.from(post.toString('latin1').replace('Connection: close', 'Connection: keep-alive'), 'latin1');
}

/** Writes requests for `forMs` without ever reading; resolves with what the server took. */
function flood(port: number, first: Buffer, next: Buffer, forMs: number): Promise<{ offered: number; accepted: number; destroy(): void }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.pause(); // never read
    let offered = 0;
    let stop = false;
    socket.on('connect', () => {
      const pump = (): void => {
        while (!stop) {
          offered += next.length;
          if (!socket.write(next)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      offered += first.length;
      socket.write(first);
      pump();
    });
    setTimeout(() => {
      stop = true;
      resolve({ offered, accepted: socket.bytesWritten - socket.writableLength, destroy: () => socket.destroy() });
    }, forMs);
  });
}

describe('a client that never reads its answers', () => {
  const suite = childForSuite(['http', 'tcp', 'netty', 'avro']);

  for (const scheme of ['http', 'tcp', 'netty', 'avro'] as const) {
    it(`stops being read once its answers pile up, over ${scheme}`, async () => {
      const before = await suite.child.usage();
      const { first, next } = requests(scheme);
      const attack = await flood(suite.port(scheme), first, next, 1_000);
      const after = await suite.child.usage();
      const served = await otherClientServed(`${scheme}://127.0.0.1:${suite.port(scheme)}/`);
      attack.destroy();
      const growth = (after.peakRss - before.rss) / MB;
      figure({ defect: '12 answers never read', side: 'server', transport: scheme, bound: scheme === 'http' ? "node's HTTP server pauses a pipelining socket (outgoing data >= highWaterMark)" : '64 requests in flight, 1 MB of unsent answers, then the socket is paused', rssGrowthMb: growth, otherClientServed: served, note: `server took ${(attack.accepted / MB).toFixed(1)} MB of requests in 1 s (kernel buffers included)` });
      expect(attack.accepted).toBeLessThan(24 * MB);
      expect(growth).toBeLessThan(64);
      expect(served).toBe(true);
    });
  }
});
