// What our client does in ts-client cells, one procedure per case kind (data/README.md).
import { connect as netConnect, createServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { Cell } from '../../harness/matrix/axes.ts';
import { LOOPBACK } from '../../harness/net/ports.ts';
import { ClientTimeout, ThriftClientConnection, type ClientOptions } from '../../impls/npm-thrift/client.ts';
import { decodeAnswer, encodeEmptyCall, encodeRequest, RawExchange } from '../../impls/npm-thrift/raw.ts';
import { generated, Thrift, type ServiceName } from '../../impls/npm-thrift/runtime.ts';
import { OutputCollector } from '../../impls/npm-thrift/transports.ts';
import { multiplexedClass, protocolClass, protocolPair, type BaseProtocol } from '../../impls/npm-thrift/protocols.ts';
import { DEFAULT_LIMITS } from '../../impls/npm-thrift/limits.ts';
import { frame } from '../../impls/npm-thrift/message-stream.ts';
import { asCall, type CallSpec, type ThriftCase } from './cases.ts';
import { canonical, canonicalOf, toGenerated, type Json } from './notation.ts';
import { fieldType, Idl, returnType } from './idl.ts';
import type { WireRecorder } from '../../impls/wire/recorder.ts';

const idl = Idl.load();

type Transport = ClientOptions['transport'];

/**
 * The harness's recorder for the current case (cases run one after another in a file): every
 * connection the case opens reports to it, and the harness turns it into the case's wire dump.
 */
let caseRecorder: WireRecorder = { sent: () => undefined, received: () => undefined };

export function clientOptions(cell: Cell, port: number, extra: Partial<ClientOptions> = {}): ClientOptions {
  return { transport: cell.transport as Transport, protocol: cell.protocol, host: LOOPBACK, port, timeoutMs: 30_000, recorder: caseRecorder, ...extra };
}

const APP_ERROR_NAMES = new Map(Object.entries(Thrift.TApplicationExceptionType).map(([name, value]) => [value, name]));

function fail(message: string, expected: unknown, actual: unknown): never {
  throw new Error(`${message}\nexpected: ${JSON.stringify(expected)}\nactual:   ${JSON.stringify(actual)}`);
}

function argumentsOf(spec: CallSpec): unknown[] {
  const fn = idl.fn(spec.service ?? 'Conformance', spec.method);
  // Generated client methods take the arguments in declaration order.
  return fn.arguments.map((a) => toGenerated(idl, fieldType(a), (spec.args ?? {})[a.name] ?? null));
}

/** Makes one call on the connection and checks its outcome against the expectation. */
export async function checkedCall(connection: ThriftClientConnection, spec: CallSpec): Promise<void> {
  const service = (spec.service ?? 'Conformance') as ServiceName;
  const fn = idl.fn(service, spec.method);
  const client = connection.service(service);
  const method = client[spec.method];
  if (typeof method !== 'function') throw new Error(`generated client has no ${spec.method}`);
  let outcome: { kind: 'response'; value: unknown } | { kind: 'error'; error: unknown };
  try {
    outcome = { kind: 'response', value: await (method as (...a: unknown[]) => Promise<unknown>).apply(client, argumentsOf(spec)) };
  } catch (error) {
    outcome = { kind: 'error', error };
  }
  if (fn.oneway) {
    if (outcome.kind === 'error') throw outcome.error;
    return;
  }
  const expect = spec.expect;
  if (outcome.kind === 'response') {
    if (!('response' in expect)) fail(`${spec.method} answered normally`, expect, canonical(idl, returnType(fn), outcome.value));
    const expected = canonicalOf(idl, returnType(fn), expect.response ?? null);
    const actual = canonical(idl, returnType(fn), outcome.value);
    if (JSON.stringify(expected) !== JSON.stringify(actual)) fail(`${spec.method}: the answer differs`, expected, actual);
    return;
  }
  const error = outcome.error;
  if (error instanceof Thrift.TApplicationException) {
    const actual = { applicationError: { type: APP_ERROR_NAMES.get(error.type) ?? error.type, message: error.message } };
    if (expect.applicationError?.type !== actual.applicationError.type) fail(`${spec.method}: TApplicationException`, expect, actual);
    return;
  }
  for (const declared of fn.exceptions) {
    const cls = generated.types[declared.type?.class ?? ''];
    if (typeof cls === 'function' && error instanceof cls) {
      const actual = { type: declared.type?.class ?? '', value: canonical(idl, fieldType(declared), error) };
      if (!expect.exception) fail(`${spec.method} raised a declared exception`, expect, actual);
      const expected = { type: expect.exception.type, value: canonicalOf(idl, { typeId: 'exception', class: expect.exception.type }, expect.exception.value) };
      if (JSON.stringify(expected) !== JSON.stringify(actual)) fail(`${spec.method}: the exception differs`, expected, actual);
      return;
    }
  }
  throw error;
}

async function withConnection(cell: Cell, port: number, body: (c: ThriftClientConnection) => Promise<void>, extra: Partial<ClientOptions> = {}): Promise<void> {
  const connection = await ThriftClientConnection.open(clientOptions(cell, port, extra));
  try {
    await body(connection);
  } finally {
    connection.close();
  }
}

/** A fresh, correct connection's ping must answer: the server survived the bad input. */
async function pingFresh(cell: Cell, port: number): Promise<void> {
  await withConnection(cell, port, (c) => checkedCall(c, { method: 'ping', expect: { response: null } }), { timeoutMs: 10_000 })
    .catch((error: unknown) => { throw new Error(`the server no longer answers a ping on a new connection: ${String(error)}`); });
}

async function unknownMethod(cell: Cell, port: number, c: ThriftCase): Promise<void> {
  const exchange = await RawExchange.open(clientOptions(cell, port));
  try {
    exchange.send(encodeEmptyCall(cell.protocol, c.method ?? 'noSuchMethod', 1));
    const answer = decodeAnswer(cell.protocol, await exchange.receive(10_000));
    const actual = answer.applicationError ? APP_ERROR_NAMES.get(answer.applicationError.type) : `message type ${answer.begin.mtype}`;
    if (actual !== c.expect?.applicationError?.type) fail('unknown method', c.expect, { applicationError: answer.applicationError, actual });
    if (answer.begin.rseqid !== 1) fail('unknown method: the answer carries another seqid', 1, answer.begin.rseqid);
  } finally {
    exchange.close();
  }
  if (c.then) await withConnection(cell, port, (conn) => checkedCall(conn, c.then as CallSpec));
}

async function seqidEcho(cell: Cell, port: number, c: ThriftCase): Promise<void> {
  const exchange = await RawExchange.open(clientOptions(cell, port));
  try {
    for (const seqid of c.seqids ?? []) {
      exchange.send(encodeEmptyCall(cell.protocol, 'ping', seqid));
      const answer = decodeAnswer(cell.protocol, await exchange.receive(10_000));
      if (answer.begin.rseqid !== seqid || answer.begin.mtype !== Thrift.MessageType.REPLY) {
        fail('the answer does not carry the call\'s seqid', { seqid, mtype: 'REPLY' }, { seqid: answer.begin.rseqid, mtype: answer.begin.mtype });
      }
    }
  } finally {
    exchange.close();
  }
}

async function mismatchedProtocol(cell: Cell, port: number, c: ThriftCase): Promise<void> {
  const seconds = c.withinSeconds ?? 5;
  const spec = { method: c.method ?? 'echoString', args: c.args, expect: { response: null } };
  await withConnection(cell, port, async (connection) => {
    const client = connection.service('Conformance');
    const method = client[spec.method] as (...a: unknown[]) => Promise<unknown>;
    let answered: unknown;
    try {
      answered = await method.apply(client, argumentsOf(spec));
    } catch (error) {
      if (error instanceof ClientTimeout) fail(`no error within ${seconds} s: the exchange hung`, 'a clear error', String(error));
      return; // the clear error this case expects
    }
    fail('the server answered a request in the wrong protocol', 'a clear error', String(answered));
  }, { writeProtocolOverride: c.writes as BaseProtocol, timeoutMs: seconds * 1000 });
  await pingFresh(cell, port);
}

/** The first keepBytes of a real call in the cell's request protocol. */
function truncatedCall(cell: Cell, call: { method: string; args: Record<string, Json>; keepBytes: number }): Buffer {
  const pair = protocolPair(cell.protocol);
  let Writer = protocolClass(pair.request, DEFAULT_LIMITS);
  if (pair.multiplexed) Writer = multiplexedClass(Writer, 'Conformance');
  let message: Buffer = Buffer.alloc(0);
  const client = new generated.Conformance.Client(new OutputCollector((m) => { message = m; }), Writer);
  const send = client[`send_${call.method}`] as (...a: unknown[]) => void;
  send.apply(client, argumentsOf({ method: call.method, args: call.args, expect: {} }));
  return message.subarray(0, call.keepBytes);
}

async function raw(cell: Cell, port: number, c: ThriftCase): Promise<void> {
  const send = c.send ?? {};
  let payload = send.truncatedCall ? truncatedCall(cell, send.truncatedCall) : Buffer.from(send.$hex ?? '', 'hex');
  if (cell.transport === 'framed') {
    const header = Buffer.alloc(4);
    header.writeInt32BE(c.frameLength ?? payload.length);
    payload = Buffer.concat([header, payload]);
  }
  const seconds = c.withinSeconds ?? 5;
  const received = await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    const socket = netConnect({ host: LOOPBACK, port }, () => {
      caseRecorder.sent(payload);
      socket.write(payload);
      if (c.halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${seconds} s after bad input (received ${Buffer.concat(parts).toString('hex') || 'nothing'})`));
    }, seconds * 1000);
    socket.on('data', (chunk: Buffer) => { caseRecorder.received(chunk); parts.push(chunk); });
    socket.on('error', () => undefined); // a reset is a close
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(parts)); });
  });
  void received;
  await pingFresh(cell, port);
}

/** A listener that accepts and never answers: for our client's timeout. */
function silentServer(transport: string): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const server: Server = transport === 'http' ? createHttpServer(() => undefined) : createServer(() => undefined);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      resolve({ port: typeof address === 'object' && address ? address.port : 0, close: () => { server.close(); (server as { closeAllConnections?: () => void }).closeAllConnections?.(); } });
    });
  });
}

async function clientTimeout(cell: Cell, c: ThriftCase): Promise<void> {
  const silent = await silentServer(cell.transport);
  const timeoutMs = c.timeoutMillis ?? 1000;
  const started = Date.now();
  try {
    await withConnection(cell, silent.port, async (connection) => {
      try {
        await (connection.service('Conformance')['ping'] as () => Promise<unknown>)();
      } catch (error) {
        const elapsed = Date.now() - started;
        if (!(error instanceof ClientTimeout)) fail('expected a client timeout', 'ClientTimeout', String(error));
        if (elapsed > timeoutMs + 2000) fail('the timeout fired late', timeoutMs, elapsed);
        return;
      }
      fail('a server that never answers got an answer', 'ClientTimeout', 'an answer');
    }, { timeoutMs });
  } finally {
    silent.close();
  }
}

/** A stub that answers every call with the right method but the next sequence id. */
function wrongSeqidServer(cell: Cell): Promise<{ port: number; close: () => void }> {
  const pair = protocolPair(cell.protocol);
  const answer = (request: Buffer): Buffer => {
    const begin = decodeRequestBegin(cell.protocol, request);
    const name = begin.fname.slice(begin.fname.indexOf(':') + 1);
    let message: Buffer = Buffer.alloc(0);
    const writer = new (protocolClass(pair.response, DEFAULT_LIMITS))(new OutputCollector((m) => { message = m; }));
    writer.writeMessageBegin(name, Thrift.MessageType.REPLY, begin.rseqid + 1);
    const w = writer as unknown as { writeFieldBegin(n: string, t: number, id: number): void; writeI32(v: number): void; writeFieldEnd(): void };
    writer.writeStructBegin('result');
    w.writeFieldBegin('success', Thrift.Type['I32'] ?? 8, 0);
    w.writeI32(5);
    w.writeFieldEnd();
    writer.writeFieldStop();
    writer.writeStructEnd();
    writer.writeMessageEnd();
    writer.flush();
    return message;
  };
  return new Promise((resolve) => {
    const server: Server = cell.transport === 'http'
      ? createHttpServer((req, res) => {
        const parts: Buffer[] = [];
        req.on('data', (chunk: Buffer) => parts.push(chunk));
        req.on('end', () => { const body = answer(Buffer.concat(parts)); res.writeHead(200, { 'content-length': body.length }); res.end(body); });
      })
      : createServer((socket) => {
        socket.once('data', (chunk: Buffer) => {
          const request = cell.transport === 'framed' ? chunk.subarray(4) : chunk;
          const body = answer(request);
          socket.write(cell.transport === 'framed' ? frame(body) : body);
        });
        socket.on('error', () => undefined);
      });
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      resolve({ port: typeof address === 'object' && address ? address.port : 0, close: () => { server.close(); (server as { closeAllConnections?: () => void }).closeAllConnections?.(); } });
    });
  });
}

function decodeRequestBegin(protocol: string, data: Buffer): { fname: string; rseqid: number } {
  // A request's header decodes like an answer's, read with the protocol requests are written in.
  const request = protocolPair(protocol).request;
  return decodeAnswer(request === 'binary-nonstrict' ? 'binary' : request, data).begin;
}

async function wrongSeqid(cell: Cell, c: ThriftCase): Promise<void> {
  const stub = await wrongSeqidServer(cell);
  try {
    await withConnection(cell, stub.port, (connection) => checkedCall(connection, asCall(c)), { timeoutMs: 5000 });
  } finally {
    stub.close();
  }
}

export async function runClientCase(cell: Cell, port: number, c: ThriftCase, recorder: WireRecorder): Promise<void> {
  caseRecorder = recorder;
  switch (c.kind) {
    case 'call': return withConnection(cell, port, (connection) => checkedCall(connection, asCall(c)));
    case 'oneway': return withConnection(cell, port, async (connection) => {
      await checkedCall(connection, asCall({ ...c, expect: { response: null } }));
      if (!c.then) throw new Error(`case ${c.id} has no then`);
      await checkedCall(connection, c.then);
    });
    case 'sequence': return withConnection(cell, port, async (connection) => {
      for (const step of c.calls ?? []) await checkedCall(connection, step);
    });
    case 'unknown-method': return unknownMethod(cell, port, c);
    case 'seqid-echo': return seqidEcho(cell, port, c);
    case 'mismatched-protocol': return mismatchedProtocol(cell, port, c);
    case 'raw': return raw(cell, port, c);
    case 'client-timeout': return clientTimeout(cell, c);
    case 'wrong-seqid': return wrongSeqid(cell, c);
    default: throw new Error(`no procedure for case kind ${c.kind}`);
  }
}
