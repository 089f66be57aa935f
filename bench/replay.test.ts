import { readFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect as connectSocket } from 'node:net';
import thrift from '../impls/thrift/adapter.ts';
import { payloadBytes } from './protocol.ts';
import { openReplayClient, replayable, replayMessages, replayServable, serveReplay, serveReplayHttp, type ReplaySpec } from './replay.ts';

const IDL = new URL('../suites/thrift/data/conformance.thrift', import.meta.url).pathname;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

async function replayServer(spec: ReplaySpec): Promise<number> {
  const server = await serveReplay('127.0.0.1', 0, spec);
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

const SPECS: ReplaySpec[] = [
  { transport: 'framed', protocol: 'binary', payload: { kind: 'int' } },
  { transport: 'framed', protocol: 'compact', payload: { kind: 'int' } },
  { transport: 'buffered', protocol: 'binary', payload: { kind: 'int' } },
  { transport: 'framed', protocol: 'binary', payload: { kind: 'bytes', size: 64 * 1024 } },
  { transport: 'framed', protocol: 'compact', payload: { kind: 'bytes', size: 64 * 1024 } },
  { transport: 'buffered', protocol: 'binary', payload: { kind: 'bytes', size: 64 * 1024 } },
];

function endpoint(spec: ReplaySpec, port: number) {
  return { transport: spec.transport, protocol: spec.protocol, socket: 'tcp' as const, host: '127.0.0.1', port, httpPath: '/thrift', idl: { path: IDL, text: readFileSync(IDL, 'utf8') } };
}

describe('the replay floor', () => {
  it('replays framed binary and compact and buffered binary, nothing else', () => {
    expect(replayable('thrift', 'framed', 'binary')).toBe(true);
    expect(replayable('thrift', 'framed', 'compact')).toBe(true);
    expect(replayable('thrift', 'buffered', 'binary')).toBe(true);
    expect(replayable('thrift', 'buffered', 'compact')).toBe(false);
    expect(replayable('thrift', 'http', 'binary')).toBe(false);
    expect(replayable('avro', 'framed', 'binary')).toBe(false);
    // A replay server (not a client) stands in over HTTP too.
    expect(['binary', 'compact', 'json'].map((p) => replayServable('thrift', 'http', p))).toEqual([true, true, false]);
    expect(replayServable('thrift', 'buffered', 'compact')).toBe(false);
  });

  it.each([
    { transport: 'http', protocol: 'binary', payload: { kind: 'int' } },
    { transport: 'http', protocol: 'compact', payload: { kind: 'int' } },
    { transport: 'http', protocol: 'binary', payload: { kind: 'bytes', size: 64 * 1024 } },
  ] satisfies ReplaySpec[])('over HTTP, its server answers our client ($protocol $payload.kind)', async (spec) => {
    const server = await serveReplayHttp('127.0.0.1', 0, spec);
    servers.push(server);
    const client = await thrift.connect?.(endpoint(spec, (server.address() as AddressInfo).port), { timeoutMs: 5000 });
    if (!client) throw new Error('our adapter has no client');
    try {
      const value = spec.payload.kind === 'int' ? 42 : payloadBytes(65536);
      // Several calls: our client's sequence ids go up (a compact id of 128 and more takes two bytes).
      for (let i = 0; i < 140; i++) expect(await client.call('Conformance', spec.payload.kind === 'int' ? 'echoI32' : 'echoBinary', { value })).toEqual(value);
    } finally {
      await client.close();
    }
  });

  it('writes the echo call byte for byte as the protocols say', () => {
    const { call, reply } = replayMessages({ transport: 'framed', protocol: 'binary', payload: { kind: 'int' } });
    // frame length 27; version 1, CALL; "echoI32"; seqid 0; field 1 i32 = 42; stop
    expect(call.toString('hex')).toBe('0000001b' + '80010001' + '00000007' + Buffer.from('echoI32').toString('hex') + '00000000' + '080001' + '0000002a' + '00');
    expect(reply.toString('hex')).toBe('0000001b' + '80010002' + '00000007' + Buffer.from('echoI32').toString('hex') + '00000000' + '080000' + '0000002a' + '00');
    const compact = replayMessages({ transport: 'framed', protocol: 'compact', payload: { kind: 'int' } });
    // 0x82, CALL<<5|1, seqid 0, name; field delta 1 type i32 (0x15), zigzag 42 = 84; stop
    expect(compact.call.subarray(4).toString('hex')).toBe('8221' + '00' + '07' + Buffer.from('echoI32').toString('hex') + '15' + '54' + '00');
    // REPLY<<5|1; field 0 written long: type, then id 0
    expect(compact.reply.subarray(4).toString('hex')).toBe('8241' + '00' + '07' + Buffer.from('echoI32').toString('hex') + '05' + '00' + '54' + '00');
  });

  it.each(SPECS)('answers our client ($transport $protocol $payload.kind)', async (spec) => {
    const port = await replayServer(spec);
    const client = await thrift.connect?.(endpoint(spec, port), { timeoutMs: 5000 });
    if (!client) throw new Error('our adapter has no client');
    try {
      const value = spec.payload.kind === 'int' ? 42 : replayMessages(spec).call.subarray(-65537, -1);
      // Several calls: our client's sequence ids go up, and a compact id of 128 and more takes two bytes.
      for (let i = 0; i < 140; i++) expect(await client.call('Conformance', spec.payload.kind === 'int' ? 'echoI32' : 'echoBinary', { value })).toEqual(value);
    } finally {
      await client.close();
    }
  });

  it.each(SPECS)('is answered by our server ($transport $protocol $payload.kind)', async (spec) => {
    const echo = (args: Readonly<Record<string, unknown>>): unknown => args['value'];
    const handle = await thrift.serve?.({ ...endpoint(spec, 0), serverKind: 'ours', services: ['Conformance'] }, { Conformance: { echoI32: echo, echoBinary: echo } }, {});
    if (!handle) throw new Error('our adapter has no server');
    try {
      const client = await openReplayClient('127.0.0.1', handle.port, spec);
      for (let i = 0; i < 20; i++) await client.call();
      client.close();
    } finally {
      await handle.close();
    }
  });

  it('copies the caller\'s sequence id into the reply, however wide', async () => {
    const spec: ReplaySpec = { transport: 'framed', protocol: 'compact', payload: { kind: 'int' } };
    const port = await replayServer(spec);
    const { call, reply } = replayMessages(spec);
    // seqid 300 is the varint ac 02: the call and the reply grow by one byte.
    const wide = (m: Buffer): Buffer => {
      const body = Buffer.concat([m.subarray(4, 6), Buffer.from([0xac, 0x02]), m.subarray(7)]);
      const frame = Buffer.alloc(4);
      frame.writeUInt32BE(body.length);
      return Buffer.concat([frame, body]);
    };
    const socket = connectSocket(port, '127.0.0.1');
    const answer = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= wide(reply).length) resolve(got);
      });
      socket.on('error', reject);
      socket.write(wide(call));
    });
    socket.destroy();
    expect(answer.toString('hex')).toBe(wide(reply).toString('hex'));
  });
});
