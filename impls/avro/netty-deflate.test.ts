// netty-deflate (defect 4): Netty framing inside one zlib stream per direction, as Apache Flume's
// NettyAvroRpcClient and AvroSource speak with compression-type deflate; and what a plain Netty
// endpoint says when a compressed stream reaches it.
import { createServer } from 'node:net';
import { deflateSync, inflateSync, constants as zlibConstants } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, listen, WireTrace, type AvroServer } from './index.ts';
import { NettyFrameDecoder } from './framing/netty.ts';
import { echoHandlers, loadProtocol } from './testing/fixtures.ts';
import { exchangeRaw, framed, handshakeRequest, callBytes, u32, varint } from './testing/raw.ts';
import { listenTracked } from './testing/tracked-server.ts';

const protocol = loadProtocol('conformance');
const inflate = (bytes: Buffer): Buffer => inflateSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });

describe('netty-deflate://, our client and our server', () => {
  let server: AvroServer;
  let url: string;
  beforeAll(async () => {
    server = await listen('netty-deflate://127.0.0.1:0/', protocol, echoHandlers(protocol));
    url = `netty-deflate://127.0.0.1:${server.port}/`;
  });
  afterAll(() => server.close());

  it('calls work, concurrent and large ones included', async () => {
    const client = await connectClient(url, protocol, { timeoutMs: 3_000 });
    try {
      const values = [1, 2, 3, 4, 5];
      expect(await Promise.all(values.map((value) => client.call('echoInt', { value })))).toEqual(values);
      const big = Buffer.alloc(1 << 20, 0x5a);
      expect((await client.call('echoBytes', { value: big }) as Buffer).equals(big)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('writes one zlib stream (RFC 1950 header, a sync flush after every message) holding Netty packs', async () => {
    const trace = new WireTrace(1 << 20);
    const client = await connectClient(url, protocol, { timeoutMs: 3_000, recorder: trace });
    try {
      expect(await client.call('echoInt', { value: 7 })).toBe(7);
      const sent = trace.sentBytes;
      expect(sent[0]).toBe(0x78);
      expect(((sent[0] as number) * 256 + (sent[1] as number)) % 31).toBe(0);
      expect(sent.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff]))).toBe(true);
      const [pack] = new NettyFrameDecoder().push(inflate(sent));
      expect(pack?.payload.subarray(0, 16).equals(protocol.hash)).toBe(true);
      const [answer] = new NettyFrameDecoder().push(inflate(trace.receivedBytes));
      expect(answer?.serial).toBe(pack?.serial);
    } finally {
      await client.close();
    }
  });

  it('answers a stream compressed by another zlib (a Flume client\'s bytes, as zlib itself makes them)', async () => {
    const request = Buffer.concat([handshakeRequest(protocol.hash, null, protocol.hash), callBytes('echoInt', varint(9))]);
    const outcome = await exchangeRaw(server.port, framed('netty-deflate', request, 42), 1_000);
    const [answer] = new NettyFrameDecoder().push(inflate(outcome.answer));
    expect(answer?.serial).toBe(42);
    // Handshake BOTH (00 00 00 00: match, no protocol, no hash, no meta), call meta {}, no error, 9.
    expect(answer?.payload.equals(Buffer.from([0, 0, 0, 0, 0, 0, ...varint(9)]))).toBe(true);
  });
});

describe('a compressed stream at a plain netty:// server, and the other way round', () => {
  it('the plain server closes at once and says the stream looks zlib-compressed', async () => {
    const lines: string[] = [];
    const server = await listen('netty://127.0.0.1:0/', protocol, echoHandlers(protocol), { log: (line) => lines.push(line) });
    try {
      const request = Buffer.concat([handshakeRequest(protocol.hash, null, protocol.hash), callBytes('echoInt', varint(1))]);
      const outcome = await exchangeRaw(server.port, framed('netty-deflate', request), 1_000);
      expect(outcome.closedAfterMs).toBeLessThan(200);
      expect(lines.join('\n')).toMatch(/looks zlib-compressed \(first bytes 78 /);
      expect(lines.join('\n')).toMatch(/netty-deflate/);
    } finally {
      await server.close();
    }
  });

  it('a netty-deflate server says a plain Netty stream does not inflate', async () => {
    const lines: string[] = [];
    const server = await listen('netty-deflate://127.0.0.1:0/', protocol, echoHandlers(protocol), { log: (line) => lines.push(line) });
    try {
      const request = Buffer.concat([handshakeRequest(protocol.hash, null, protocol.hash), callBytes('echoInt', varint(1))]);
      const outcome = await exchangeRaw(server.port, framed('netty', request), 1_000);
      expect(outcome.closedAfterMs).toBeLessThan(200);
      expect(lines.join('\n')).toMatch(/does not inflate .*zlib stream/);
    } finally {
      await server.close();
    }
  });

  it('our netty-deflate client against a plain netty server fails fast, naming the closed connection', async () => {
    const server = await listen('netty://127.0.0.1:0/', protocol, echoHandlers(protocol));
    try {
      const client = await connectClient(`netty-deflate://127.0.0.1:${server.port}/`, protocol, { timeoutMs: 3_000 });
      const started = performance.now();
      await expect(client.call('echoInt', { value: 1 })).rejects.toThrow(/closed the connection/);
      expect(performance.now() - started).toBeLessThan(500);
      await client.close();
    } finally {
      await server.close();
    }
  });
});

describe('our netty-deflate client and a server that closes mid-answer', () => {
  // The close reaches the socket before zlib (on its thread pool) has handed over what came
  // before it; our client must still count those bytes, as the hostile suite's
  // answer-cut-short expects. Writing and closing in one go makes that order the usual one.
  it('names the bytes of the answer it got, even when the close comes before they are inflated', async () => {
    const partial = deflateSync(Buffer.concat([u32(0), u32(1), u32(100), Buffer.alloc(10)]), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const server = await listenTracked(createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(partial));
    }));
    try {
      for (let round = 0; round < 20; round++) {
        const client = await connectClient(`netty-deflate://127.0.0.1:${server.port}/`, protocol, { timeoutMs: 3_000 });
        await expect(client.call('echoInt', { value: 1 })).rejects.toThrow(/closed the connection mid-answer, after 22 bytes of it/);
        await client.close();
      }
    } finally {
      await server.close();
    }
  });

  it('takes a whole answer that the server sends just before it closes', async () => {
    const server = await listenTracked(createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (chunk: Buffer) => {
        const [request] = new NettyFrameDecoder().push(inflate(chunk));
        // Handshake BOTH, call meta {}, no error, 7; then the close, in the same write.
        const answer = Buffer.concat([u32(request?.serial ?? 0), u32(1), u32(7), Buffer.from([0, 0, 0, 0, 0, 0, ...varint(7)])]);
        socket.end(deflateSync(answer, { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
      });
    }));
    try {
      for (let round = 0; round < 20; round++) {
        const client = await connectClient(`netty-deflate://127.0.0.1:${server.port}/`, protocol, { timeoutMs: 3_000 });
        expect(await client.call('echoInt', { value: 7 })).toBe(7);
        await client.close();
      }
    } finally {
      await server.close();
    }
  });
});
