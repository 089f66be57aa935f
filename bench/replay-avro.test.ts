import { readFileSync } from 'node:fs';
import { connect as connectSocket, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import adapter from '../impls/avro/adapter.ts';
import { encodeCallHeader, encodeResponseHeader } from '../impls/avro/call.ts';
import { decodeStandardBody, encodeStandard } from '../impls/avro/framing/standard.ts';
import { encodeNetty } from '../impls/avro/framing/netty.ts';
import { encodeSaslStart, encodeSaslStatus, SaslStatus } from '../impls/avro/framing/sasl.ts';
import { encodeHandshakeRequest, encodeHandshakeResponse } from '../impls/avro/handshake.ts';
import { parseProtocol } from '../impls/avro/protocol.ts';
import { payloadBytes, type Payload } from './protocol.ts';
import {
  AvroHttpReplayClient, AvroReplayClient, avroReplayable, avroReplayMessages, avroReplayServable, HASH_PROBE, REPLAY_SERIAL, serveAvroHttpReplay, serveAvroReplay, type AvroReplaySpec,
} from './replay-avro.ts';
import {
  callRequest, callResponse, HANDSHAKE_BOTH, handshakeRequest, nettyPack, NettyFramingReader, SASL_COMPLETE, saslStart, SaslStartReader,
  serverHashOf, standardFramed, StandardFramingReader, zigzagVarint, type FrameSink,
} from './replay-avro-wire.ts';

const PROTOCOL_FILE = new URL('../suites/avro/data/protocols/conformance.avpr', import.meta.url).pathname;
const PROTOCOL_TEXT = readFileSync(PROTOCOL_FILE, 'utf8');
const INT: Payload = { kind: 'int' };
const KIB64: Payload = { kind: 'bytes', size: 64 * 1024 };
const hex = (b: Buffer): string => b.toString('hex');
const ascii = (text: string): string => Buffer.from(text, 'ascii').toString('hex');

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

async function replayServer(spec: AvroReplaySpec): Promise<number> {
  const server = await serveAvroReplay('127.0.0.1', 0, spec);
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** The URL schemes our adapter takes (as bench/agent.ts maps them): SASL is avro://. */
const SCHEMES: Readonly<Record<string, string>> = { tcp: 'tcp', sasl: 'avro', netty: 'netty' };

function target(transport: string, port: number) {
  return { url: `${SCHEMES[transport]}://127.0.0.1:${port}/`, transport, protocol: { name: 'conformance', text: PROTOCOL_TEXT } };
}

/** Collects what a framing reader reports: each message's bytes and serial. */
function collector(): { sink: FrameSink; messages: Array<{ bytes: string; serial: number | undefined }> } {
  const messages: Array<{ bytes: string; serial: number | undefined }> = [];
  let pieces: Buffer[] = [];
  return {
    messages,
    sink: { content: (piece) => { pieces.push(Buffer.from(piece)); }, end: (serial) => { messages.push({ bytes: hex(Buffer.concat(pieces)), serial }); pieces = []; } },
  };
}

/** Writes bytes to a port and resolves with the first `length` bytes that come back. */
function rawExchange(port: number, request: Buffer, length: number): Promise<Buffer> {
  const socket = connectSocket(port, '127.0.0.1');
  return new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= length) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${got.length} bytes`)));
    socket.write(request);
  });
}

const SPECS: AvroReplaySpec[] = ['tcp', 'sasl', 'netty'].flatMap((transport) => [INT, KIB64].map((payload) => ({ transport, payload })));

describe('the Avro replay floor: its bytes, written by hand', () => {
  it('replays both sides of the stream transports on a stream, the server of HTTP with node:http, nothing of Thrift', () => {
    expect(['tcp', 'sasl', 'netty'].map((t) => avroReplayable('avro', t))).toEqual([true, true, true]);
    expect(['tcp', 'sasl', 'netty', 'http'].map((t) => avroReplayServable('avro', t))).toEqual([true, true, true, true]);
    expect(avroReplayable('avro', 'http')).toBe(false);
    expect([avroReplayable('thrift', 'tcp'), avroReplayServable('thrift', 'http')]).toEqual([false, false]);
  });

  it('writes ints and longs zig-zag then as varints', () => {
    const cases: Array<[number, string]> = [[0, '00'], [-1, '01'], [1, '02'], [42, '54'], [63, '7e'], [-64, '7f'], [64, '8001'], [-65, '8101'], [65536, '808008'], [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f']];
    for (const [n, bytes] of cases) expect(hex(zigzagVarint(n)), String(n)).toBe(bytes);
  });

  it('writes the echo calls and responses as the spec\'s call format says', () => {
    // request: meta {} (00), "echoInt" (length 7: 0e), value 42 (54)
    expect(hex(callRequest(INT))).toBe(`00 0e ${ascii('echoInt')} 54`.replaceAll(' ', ''));
    // response: meta {} (00), error flag false (00), 42
    expect(hex(callResponse(INT))).toBe('000054');
    // 64 KiB: "echoBytes" (length 9: 12), then bytes of length 65536 (zig-zag 131072: 80 80 08)
    const request = callRequest(KIB64);
    expect(hex(request.subarray(0, 14))).toBe(`00 12 ${ascii('echoBytes')} 808008`.replaceAll(' ', ''));
    expect(request.subarray(14).equals(payloadBytes(65536))).toBe(true);
    const response = callResponse(KIB64);
    expect(hex(response.subarray(0, 5))).toBe('0000808008');
    expect(response.length).toBe(5 + 65536);
  });

  it('writes the handshake: a request with both hashes and no protocol, a response BOTH with nothing else', () => {
    const hash = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    // clientHash, clientProtocol null (00), serverHash, meta null (00)
    expect(hex(handshakeRequest(hash, hash))).toBe(`${hex(hash)}00${hex(hash)}00`);
    // match BOTH (00), serverProtocol null, serverHash null, meta null
    expect(hex(HANDSHAKE_BOTH)).toBe('00000000');
    // the probe: zero hashes, then a ping (meta {}, message name "")
    expect(hex(HASH_PROBE)).toBe(`${'00'.repeat(16)}00${'00'.repeat(16)}00` + '0000');
    const m = avroReplayMessages(INT, hash);
    expect(hex(m.firstRequest)).toBe(`${hex(hash)}00${hex(hash)}00` + `000e${ascii('echoInt')}54`);
    expect(hex(m.firstAnswer)).toBe('00000000' + '000054');
    expect(hex(m.request)).toBe(`000e${ascii('echoInt')}54`);
    expect(hex(m.answer)).toBe('000054');
  });

  it('reads the server\'s hash out of a NONE or CLIENT handshake response, and refuses one without it', () => {
    const hash = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex');
    // NONE (index 2: 04), serverProtocol branch 1 (02) of "{}" (length 2: 04), serverHash branch 1 (02), meta null
    expect(hex(serverHashOf(Buffer.from(`04 02 04 7b7d 02 ${hex(hash)} 00`.replaceAll(' ', ''), 'hex')))).toBe(hex(hash));
    expect(hex(serverHashOf(Buffer.from(`02 02 04 7b7d 02 ${hex(hash)} 00`.replaceAll(' ', ''), 'hex')))).toBe(hex(hash));
    expect(() => serverHashOf(HANDSHAKE_BOTH)).toThrow(/BOTH/);
    expect(() => serverHashOf(Buffer.from('04000000', 'hex'))).toThrow(/no serverHash/);
    expect(() => serverHashOf(Buffer.from('0402ff', 'hex'))).toThrow(/ends inside/);
    expect(() => serverHashOf(Buffer.from('040206', 'hex'))).toThrow(/runs past/);
  });

  it('frames messages as standard framing, Netty packs and the SASL negotiation say', () => {
    const m = callResponse(INT);
    expect(hex(standardFramed(m))).toBe('00000003' + '000054' + '00000000');
    // serial, count 1, length, the buffer
    expect(hex(nettyPack(REPLAY_SERIAL, m))).toBe('00000001' + '00000001' + '00000003' + '000054');
    expect(hex(nettyPack(-2, m)).slice(0, 8)).toBe('fffffffe');
    // START (00), "ANONYMOUS" (length 9), the trace "replay" (length 6)
    expect(hex(saslStart('replay'))).toBe(`00 00000009 ${ascii('ANONYMOUS')} 00000006 ${ascii('replay')}`.replaceAll(' ', ''));
    // COMPLETE (03), an empty buffer
    expect(hex(SASL_COMPLETE)).toBe('0300000000');
  });
});

describe('the Avro replay floor\'s bytes, against what our implementation (impls/avro) writes and reads', () => {
  const protocol = parseProtocol(PROTOCOL_TEXT);

  it.each([INT, KIB64])('the same echo calls and responses (%o)', (payload) => {
    const name = payload.kind === 'int' ? 'echoInt' : 'echoBytes';
    const message = protocol.messages.get(name);
    if (!message) throw new Error(`no ${name}`);
    const value = payload.kind === 'int' ? 42 : payloadBytes(payload.size);
    expect(hex(callRequest(payload))).toBe(hex(Buffer.concat([encodeCallHeader({}, name), message.request.toBuffer({ value })])));
    expect(hex(callResponse(payload))).toBe(hex(Buffer.concat([encodeResponseHeader({}, false), message.response.toBuffer(value)])));
  });

  it('the same handshake records', () => {
    const hash = protocol.hash;
    expect(hex(handshakeRequest(hash, hash))).toBe(hex(encodeHandshakeRequest({ clientHash: hash, clientProtocol: null, serverHash: hash, meta: null })));
    expect(hex(HANDSHAKE_BOTH)).toBe(hex(encodeHandshakeResponse({ match: 'BOTH', serverProtocol: null, serverHash: null, meta: null })));
    const none = encodeHandshakeResponse({ match: 'NONE', serverProtocol: protocol.text, serverHash: hash, meta: null });
    expect(hex(serverHashOf(none))).toBe(hex(hash));
    const client = encodeHandshakeResponse({ match: 'CLIENT', serverProtocol: protocol.text, serverHash: hash, meta: { k: Buffer.from('v') } });
    expect(hex(serverHashOf(client))).toBe(hex(hash));
  });

  it('the same framings: ours reads ours, and ours (8 KiB buffers) is read by the replay\'s reader', () => {
    const message = callRequest(KIB64);
    expect(decodeStandardBody(standardFramed(message)).equals(message)).toBe(true);
    const { sink, messages } = collector();
    new StandardFramingReader(sink).push(encodeStandard(message));
    expect(messages).toEqual([{ bytes: hex(message), serial: undefined }]);
    expect(hex(nettyPack(7, message))).toBe(hex(encodeNetty(7, [message])));
    expect(hex(saslStart('replay'))).toBe(hex(encodeSaslStart('ANONYMOUS', Buffer.from('replay'))));
    expect(hex(SASL_COMPLETE)).toBe(hex(encodeSaslStatus(SaslStatus.COMPLETE, Buffer.alloc(0))));
  });
});

describe('the Avro replay floor\'s framing readers', () => {
  it('find each standard-framed message\'s end, whatever the chunks and the buffers', () => {
    const a = callRequest(INT);
    const b = callResponse(KIB64);
    // b in three buffers of its own
    const threeBuffers = Buffer.concat([standardFramed(b.subarray(0, 10)).subarray(0, 14), standardFramed(b.subarray(10, 9000)).subarray(0, -4), standardFramed(b.subarray(9000))]);
    const stream = Buffer.concat([standardFramed(a), threeBuffers, standardFramed(a)]);
    for (const size of [1, 3, 4096, stream.length]) {
      const { sink, messages } = collector();
      const reader = new StandardFramingReader(sink);
      for (let at = 0; at < stream.length; at += size) reader.push(stream.subarray(at, at + size));
      expect(messages.map((m) => m.bytes), `chunks of ${size}`).toEqual([hex(a), hex(b), hex(a)]);
    }
  });

  it('find each Netty pack\'s end and serial, and refuse packs no echo sends', () => {
    const a = callRequest(INT);
    const b = callResponse(KIB64);
    const twoBuffers = encodeNetty(-5, [b.subarray(0, 8192), b.subarray(8192)]);
    const stream = Buffer.concat([nettyPack(1, a), twoBuffers, encodeNetty(9, [Buffer.alloc(0), a])]);
    for (const size of [1, 7, stream.length]) {
      const { sink, messages } = collector();
      const reader = new NettyFramingReader(sink);
      for (let at = 0; at < stream.length; at += size) reader.push(stream.subarray(at, at + size));
      expect(messages, `chunks of ${size}`).toEqual([{ bytes: hex(a), serial: 1 }, { bytes: hex(b), serial: -5 }, { bytes: hex(a), serial: 9 }]);
    }
    expect(() => new NettyFramingReader(collector().sink).push(Buffer.from('0000000100000000', 'hex'))).toThrow(/0 buffers/);
    expect(() => new NettyFramingReader(collector().sink).push(Buffer.from('0000000100000001ffffffff', 'hex'))).toThrow(/more than/);
    expect(() => new StandardFramingReader(collector().sink).push(Buffer.from('00900000', 'hex'))).toThrow(/more than/);
  });

  it('read a SASL start to its end, and refuse anything but START ANONYMOUS', () => {
    const start = saslStart('someone');
    const after = Buffer.from('abcd', 'hex');
    const reader = new SaslStartReader();
    const bytes = Buffer.concat([start, after]);
    for (let at = 0; at < start.length - 1; at++) expect(reader.push(bytes.subarray(at, at + 1))).toBeUndefined();
    expect(hex(reader.push(bytes.subarray(start.length - 1))?.rest ?? Buffer.alloc(0))).toBe('abcd');
    expect(() => new SaslStartReader().push(Buffer.from([3]))).toThrow(/START/);
    expect(() => new SaslStartReader().push(Buffer.concat([Buffer.from('0000000005', 'hex'), Buffer.from('PLAIN')]))).toThrow(/PLAIN/);
  });
});

describe('the Avro replay floor on a socket', () => {
  it.each(SPECS)('the replay server answers our client ($transport $payload.kind)', async (spec) => {
    const port = await replayServer(spec);
    const client = await adapter.connect?.(target(spec.transport, port), { timeoutMs: 5000 });
    if (!client) throw new Error('our adapter has no client');
    try {
      const value = spec.payload.kind === 'int' ? 42 : payloadBytes(65536);
      const name = spec.payload.kind === 'int' ? 'echoInt' : 'echoBytes';
      for (let i = 0; i < 30; i++) expect(await client.call(name, { value })).toEqual(value);
      // Our client's first request carried a handshake, the replay server answered BOTH, and no other handshake followed.
      expect(client.handshakes?.().map((h) => h.response.match)).toEqual(['BOTH']);
    } finally {
      await client.close();
    }
  });

  it.each(SPECS)('the replay client is answered by our server ($transport $payload.kind)', async (spec) => {
    const handlers = Object.fromEntries([...parseProtocol(PROTOCOL_TEXT).messages.keys()].map((name) => [name, (request: Readonly<Record<string, unknown>>): unknown => request['value']]));
    const handshakes: string[] = [];
    const server = await adapter.listen?.(target(spec.transport, 0), handlers, { onHandshake: (h) => handshakes.push(h.response.match) });
    if (!server) throw new Error('our adapter has no server');
    try {
      const client = await AvroReplayClient.open('127.0.0.1', server.port, spec, 5000);
      for (let i = 0; i < 20; i++) await client.call();
      client.close();
      // The probe learnt the hash (NONE), the first call presented it (BOTH); no other handshake.
      expect(handshakes).toEqual(['NONE', 'BOTH']);
    } finally {
      await server.close();
    }
  });

  it.each([INT, KIB64])('the HTTP replay client is answered by our server, a handshake BOTH with every call ($kind)', async (payload) => {
    const handlers = Object.fromEntries([...parseProtocol(PROTOCOL_TEXT).messages.keys()].map((name) => [name, (request: Readonly<Record<string, unknown>>): unknown => request['value']]));
    const handshakes: string[] = [];
    const server = await adapter.listen?.({ url: 'http://127.0.0.1:0/', transport: 'http', protocol: { name: 'conformance', text: PROTOCOL_TEXT } }, handlers, { onHandshake: (h) => handshakes.push(h.response.match) });
    if (!server) throw new Error('our adapter has no server');
    try {
      const client = await AvroHttpReplayClient.open('127.0.0.1', server.port, payload);
      for (let i = 0; i < 20; i++) await client.call();
      client.close();
      // The probe learnt the hash (NONE); every call presented it (BOTH): HTTP carries a handshake per request.
      expect(handshakes).toEqual(['NONE', ...Array(20).fill('BOTH')]);
    } finally {
      await server.close();
    }
  });

  it('the HTTP replay client rejects an answer one byte off', async () => {
    const wrong = callResponse(INT);
    wrong.writeUInt8((wrong.at(-1) ?? 0) ^ 1, wrong.length - 1);
    const { createServer } = await import('node:http');
    // The probe is answered NONE with a hash (and the ping's empty response), every call BOTH and the wrong echo.
    const none = Buffer.from(`04 02 04 7b7d 02 ${'ab'.repeat(16)} 00 00 00`.replaceAll(' ', ''), 'hex');
    const server = createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => {
        const probe = Buffer.concat(body).equals(standardFramed(HASH_PROBE));
        res.end(standardFramed(probe ? none : Buffer.concat([HANDSHAKE_BOTH, wrong])));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const client = await AvroHttpReplayClient.open('127.0.0.1', port, INT);
      await expect(client.call()).rejects.toThrow(/differs from the one expected/);
      client.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([INT, KIB64])('the HTTP replay server answers our client, a handshake BOTH with every call ($kind)', async (payload) => {
    const server = await serveAvroHttpReplay('127.0.0.1', 0, payload);
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    const client = await adapter.connect?.({ url: `http://127.0.0.1:${port}/`, transport: 'http', protocol: { name: 'conformance', text: PROTOCOL_TEXT } }, { timeoutMs: 5000 });
    if (!client) throw new Error('our adapter has no client');
    try {
      const value = payload.kind === 'int' ? 42 : payloadBytes(65536);
      const name = payload.kind === 'int' ? 'echoInt' : 'echoBytes';
      for (let i = 0; i < 20; i++) expect(await client.call(name, { value })).toEqual(value);
      // HTTP is stateless: every request carries a handshake, and each was answered BOTH.
      expect(client.handshakes?.().map((h) => h.response.match)).toEqual(Array(20).fill('BOTH'));
    } finally {
      await client.close();
    }
  });

  it('the replay client rejects an answer one byte off', async () => {
    const handlers = Object.fromEntries([...parseProtocol(PROTOCOL_TEXT).messages.keys()].map((name) => [name, (): unknown => 43]));
    const server = await adapter.listen?.(target('tcp', 0), handlers, {});
    if (!server) throw new Error('our adapter has no server');
    try {
      const client = await AvroReplayClient.open('127.0.0.1', server.port, { transport: 'tcp', payload: INT }, 5000);
      await expect(client.call()).rejects.toThrow(/differs from the one expected/);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('the replay server answers a SASL start with the first request right behind it (as Java\'s client may send them)', async () => {
    const port = await replayServer({ transport: 'sasl', payload: INT });
    const first = standardFramed(avroReplayMessages(INT, Buffer.alloc(16, 1)).firstRequest);
    const expected = Buffer.concat([SASL_COMPLETE, standardFramed(Buffer.concat([HANDSHAKE_BOTH, callResponse(INT)]))]);
    expect(hex(await rawExchange(port, Buffer.concat([saslStart('u'), first]), expected.length))).toBe(hex(expected));
  });

  it('the replay server copies the request\'s serial into its Netty answer, first call and later ones', async () => {
    const port = await replayServer({ transport: 'netty', payload: INT });
    const m = avroReplayMessages(INT, Buffer.alloc(16, 1));
    const requests = Buffer.concat([nettyPack(300, m.firstRequest), nettyPack(-7, m.request)]);
    const expected = Buffer.concat([nettyPack(300, m.firstAnswer), nettyPack(-7, m.answer)]);
    expect(hex(await rawExchange(port, requests, expected.length))).toBe(hex(expected));
  });
});
