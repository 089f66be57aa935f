// Defect 10: reassembling a large message was quadratic (each chunk was appended to one growing
// buffer, copying everything received so far): one 96 MB message cost 26 s of server CPU on Netty
// framing while other clients waited. Now every framing keeps chunks as they came and joins them
// once. A 16 MB echoBytes request goes to the server as a peer may frame it (Netty: 8 KB buffers,
// as Java writes them; standard framing: frames as large as the limit allows, the worst case for
// reassembly), and a 16 MB answer comes back to our client; both sides' CPU time is measured.
import { deflateSync, inflateSync, constants as zlibConstants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { connectClient } from '../index.ts';
import { encodeSaslStart } from '../framing/sasl.ts';
import { childForSuite } from '../testing/child-process.ts';
import { figure, MB, otherClientServed } from '../testing/figures.ts';
import { loadProtocol } from '../testing/fixtures.ts';
import { callBytes, exchangeRaw, handshakeRequest, httpPost, u32, varint } from '../testing/raw.ts';

const SCHEMES = ['http', 'tcp', 'netty', 'avro', 'netty-deflate'] as const;
type Scheme = (typeof SCHEMES)[number];
const protocol = loadProtocol('conformance');
const PAYLOAD_BYTES = 16 * MB;
const PAYLOAD = Buffer.alloc(PAYLOAD_BYTES, 0x5a);
/**
 * CPU allowed for the whole call on either side (reassembly, decoding, the echo, encoding): about
 * 100 ms is what it takes now, and quadratic reassembly took 600 ms and more at this size (2.5 s
 * at 32 MB). zlib itself costs ~20 ms per MB each way, so netty-deflate gets more.
 */
const CPU_MS = { plain: 400, deflate: 1_000 };
const requestFor = (payload: Buffer): Buffer => Buffer.concat([handshakeRequest(protocol.hash, null, protocol.hash), callBytes('echoBytes', Buffer.concat([varint(payload.length), payload]))]);

/** Standard framing with frames of 16,000,000 bytes (the limit is 16,384,000). */
function bigFrames(payload: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += 16_000_000) {
    const frame = payload.subarray(offset, offset + 16_000_000);
    parts.push(u32(frame.length), frame);
  }
  parts.push(u32(0));
  return parts;
}

/** Netty framing with 8 KB buffers, as Java's NettyTransceiver writes a message. */
function javaNettyPack(payload: Buffer): Buffer[] {
  const parts: Buffer[] = [u32(1), u32(Math.ceil(payload.length / 8192))];
  for (let offset = 0; offset < payload.length; offset += 8192) {
    const buffer = payload.subarray(offset, offset + 8192);
    parts.push(u32(buffer.length), buffer);
  }
  return parts;
}

function inflated(chunks: readonly Buffer[]): Buffer {
  return inflateSync(Buffer.concat(chunks), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
}

function requestBytes(scheme: Scheme): Buffer[] {
  const REQUEST = requestFor(PAYLOAD);
  switch (scheme) {
    case 'tcp': return bigFrames(REQUEST);
    case 'avro': return [encodeSaslStart('ANONYMOUS', Buffer.alloc(0)), ...bigFrames(REQUEST)];
    case 'http': {
      const body = bigFrames(REQUEST);
      return [httpPost(Buffer.alloc(0), body.reduce((n, b) => n + b.length, 0)), ...body];
    }
    case 'netty': return javaNettyPack(REQUEST);
    case 'netty-deflate': return [deflateSync(Buffer.concat(javaNettyPack(REQUEST)), { finishFlush: zlibConstants.Z_SYNC_FLUSH })];
  }
}

describe('one 16 MB message through every framing', () => {
  const suite = childForSuite(SCHEMES);

  for (const scheme of SCHEMES) {
    it(`costs the server and our client linear time, over ${scheme}`, async () => {
      const url = `${scheme}://127.0.0.1:${suite.port(scheme)}/`;
      // The server reassembles a 16 MB request.
      const before = await suite.child.usage();
      const complete = scheme === 'netty-deflate'
        ? (chunks: readonly Buffer[]) => inflated(chunks).length > PAYLOAD.length
        : (_: readonly Buffer[], total: number) => total > PAYLOAD.length;
      const outcome = await exchangeRaw(suite.port(scheme), requestBytes(scheme), 3_000, complete);
      const after = await suite.child.usage();
      const serverCpuMs = after.cpuMs - before.cpuMs;
      const served = await otherClientServed(url);
      // Our client reassembles a 16 MB answer.
      const client = await connectClient(url, protocol, { timeoutMs: 5_000 });
      let clientCpuMs = Number.NaN;
      let echoed: Buffer | undefined;
      try {
        expect(await client.call('echoInt', { value: 1 })).toBe(1); // the handshake out of the way
        const cpu = process.cpuUsage();
        echoed = await client.call('echoBytes', { value: PAYLOAD }) as Buffer;
        const used = process.cpuUsage(cpu);
        clientCpuMs = (used.user + used.system) / 1000;
      } finally {
        await client.close();
      }
      const mb = PAYLOAD.length / MB;
      figure({ defect: `10 ${mb} MB message`, side: 'server', transport: scheme, bound: scheme === 'http' ? 'linear: each body piece copied once, into a buffer that doubles as bytes come' : 'linear: chunks kept as views, joined once', closeMs: outcome.doneAfterMs, rssGrowthMb: (after.peakRss - before.rss) / MB, otherClientServed: served, note: `server CPU ${serverCpuMs.toFixed(0)} ms for the request; our client CPU ${clientCpuMs.toFixed(0)} ms for a ${mb} MB call; closeMs = last request byte to last answer byte` });
      expect(complete([outcome.answer], outcome.answer.length)).toBe(true);
      const allowed = scheme === 'netty-deflate' ? CPU_MS.deflate : CPU_MS.plain;
      expect(serverCpuMs).toBeLessThan(allowed);
      expect(echoed?.equals(PAYLOAD)).toBe(true);
      expect(clientCpuMs).toBeLessThan(allowed);
      expect(served).toBe(true);
    }, 10_000);
  }
});
