// Runs the case catalogue (suites/thrift/data/cases.json) with our client against a server at an
// endpoint, one procedure per case kind, as the suite's README describes them. Used by our unit
// tests (our client against our own server, end-to-end.test.ts).
import { readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import {
  applicationErrorTypeName, ClientTimeout, connect, DeclaredException, decodeAnswer, encodeMessage, encodeRequest, MessageType,
  protocolPlan, RawConnection, TApplicationException, type Endpoint, type Idl,
} from '../index.ts';
import { canonical, fromNotation, type Json } from './notation.ts';
import { writeReply } from '../codec/messages.ts';
import { newReader, newWriter } from '../protocol/index.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { UnframedSplitter, FrameSplitter, frameSegments } from '../framing/splitters.ts';

export interface Expect {
  readonly response?: Json;
  readonly exception?: { readonly type: string; readonly value: Json };
  readonly applicationError?: { readonly type: string; readonly message?: string };
}

export interface CallSpec {
  readonly service?: string;
  readonly method: string;
  readonly args?: Readonly<Record<string, Json>>;
  readonly expect: Expect;
}

export interface ThriftCase {
  readonly id: string;
  readonly kind: string;
  readonly directions?: readonly string[];
  readonly transports?: readonly string[];
  readonly protocols?: readonly string[];
  readonly service?: string;
  readonly method?: string;
  readonly args?: Readonly<Record<string, Json>>;
  readonly expect?: Expect;
  readonly then?: CallSpec;
  readonly calls?: readonly CallSpec[];
  readonly seqids?: readonly number[];
  readonly writes?: string;
  readonly withinSeconds?: number;
  readonly send?: { readonly $hex?: string; readonly truncatedCall?: { method: string; args: Record<string, Json>; keepBytes: number } };
  readonly frameLength?: number;
  readonly halfClose?: boolean;
  readonly timeoutMillis?: number;
}

export const CASES_FILE = new URL('../../../suites/thrift/data/cases.json', import.meta.url);

export function loadCases(): ThriftCase[] {
  return (JSON.parse(readFileSync(CASES_FILE, 'utf8')) as { cases: ThriftCase[] }).cases;
}

export function casesFor(all: readonly ThriftCase[], transport: string, protocol: string, direction: 'ts-client' | 'ts-server'): ThriftCase[] {
  return all.filter((c) => (!c.directions || c.directions.includes(direction))
    && (!c.transports || c.transports.includes(transport))
    && (!c.protocols || c.protocols.includes(protocol)));
}

export class CaseFailure extends Error {
  override readonly name = 'CaseFailure';
}

function fail(message: string, expected: unknown, actual: unknown): never {
  throw new CaseFailure(`${message}\n  expected: ${JSON.stringify(expected)}\n  actual:   ${JSON.stringify(actual)}`);
}

export interface CaseContext {
  readonly idl: Idl;
  readonly endpoint: Endpoint;
  readonly timeoutMs?: number;
}

function argumentsOf(idl: Idl, spec: { service?: string; method: string; args?: Readonly<Record<string, Json>> }): Record<string, unknown> {
  const fn = idl.method(spec.service ?? 'Conformance', spec.method);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.args ?? {})) {
    const field = fn.args.byName.get(name);
    if (!field) throw new Error(`${spec.method} has no parameter ${name}`);
    out[name] = fromNotation(idl, field.type, value);
  }
  return out;
}

/** Makes one call and checks its outcome. */
export async function checkedCall(idl: Idl, client: { call(s: string, m: string, a: Record<string, unknown>): Promise<unknown> }, spec: CallSpec): Promise<void> {
  const service = spec.service ?? 'Conformance';
  const fn = idl.method(service, spec.method);
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await client.call(service, spec.method, argumentsOf(idl, spec)) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (fn.oneway) {
    if (!outcome.ok) throw outcome.error;
    return;
  }
  const expect = spec.expect;
  if (outcome.ok) {
    const actual = canonical(fn.returns, outcome.value);
    if (!('response' in expect)) fail(`${spec.method} answered normally`, expect, actual);
    const expected = canonical(fn.returns, fromNotation(idl, fn.returns ?? { kind: 'bool' }, expect.response ?? null));
    if (JSON.stringify(expected) !== JSON.stringify(actual)) fail(`${spec.method}: the answer differs`, expected, actual);
    return;
  }
  const error = outcome.error;
  if (error instanceof TApplicationException) {
    const actual = { type: applicationErrorTypeName(error.type), message: error.message };
    if (expect.applicationError?.type !== actual.type) fail(`${spec.method}: TApplicationException`, expect, actual);
    if (expect.applicationError.message !== undefined && expect.applicationError.message !== actual.message) fail(`${spec.method}: TApplicationException message`, expect, actual);
    return;
  }
  if (error instanceof DeclaredException) {
    const field = fn.throwsByType.get(error.type);
    const actual = { type: error.type, value: field ? canonical(field.type, error.value) : null };
    if (!expect.exception) fail(`${spec.method} raised a declared exception`, expect, actual);
    const expectedField = fn.throwsByType.get(expect.exception.type);
    const expected = { type: expect.exception.type, value: expectedField ? canonical(expectedField.type, fromNotation(idl, expectedField.type, expect.exception.value)) : null };
    if (JSON.stringify(expected) !== JSON.stringify(actual)) fail(`${spec.method}: the exception differs`, expected, actual);
    return;
  }
  throw error;
}

async function withClient(ctx: CaseContext, body: (client: { call(s: string, m: string, a: Record<string, unknown>): Promise<unknown> }) => Promise<void>, options: { writeProtocol?: string; timeoutMs?: number } = {}): Promise<void> {
  const client = await connect(ctx.endpoint, ctx.idl, { timeoutMs: options.timeoutMs ?? ctx.timeoutMs ?? 10_000, ...(options.writeProtocol ? { writeProtocol: options.writeProtocol } : {}) });
  try {
    await body(client);
  } finally {
    await client.close();
  }
}

async function pingFresh(ctx: CaseContext): Promise<void> {
  await withClient(ctx, (client) => checkedCall(ctx.idl, client, { method: 'ping', expect: { response: null } }))
    .catch((error: unknown) => { throw new CaseFailure(`the server no longer answers a ping on a new connection: ${String(error)}`); });
}

function plainName(protocol: string, name: string): string {
  return protocolPlan(protocol, 'client').multiplexed ? `Conformance:${name}` : name;
}

async function unknownMethod(ctx: CaseContext, c: ThriftCase): Promise<void> {
  const plan = protocolPlan(ctx.endpoint.protocol, 'client');
  const raw = await RawConnection.open(ctx.endpoint, { timeoutMs: 10_000 });
  try {
    await raw.send(encodeMessage(plan.request, plainName(ctx.endpoint.protocol, c.method ?? 'noSuchMethod'), MessageType.CALL, 1), 1);
    const answer = decodeAnswer(ctx.idl, ctx.endpoint.protocol, await raw.receive());
    const type = answer.outcome.kind === 'applicationError' ? applicationErrorTypeName(answer.outcome.type) : `message type ${answer.type}`;
    if (type !== c.expect?.applicationError?.type) fail('unknown method', c.expect, answer);
    if (answer.seqid !== 1) fail('unknown method: the answer carries another seqid', 1, answer.seqid);
  } finally {
    raw.close();
  }
  if (c.then) {
    const then = c.then;
    await withClient(ctx, (client) => checkedCall(ctx.idl, client, then));
  }
}

async function seqidEcho(ctx: CaseContext, c: ThriftCase): Promise<void> {
  const plan = protocolPlan(ctx.endpoint.protocol, 'client');
  const raw = await RawConnection.open(ctx.endpoint, { timeoutMs: 10_000 });
  try {
    for (const seqid of c.seqids ?? []) {
      await raw.send(encodeMessage(plan.request, plainName(ctx.endpoint.protocol, 'ping'), MessageType.CALL, seqid), seqid);
      const answer = decodeAnswer(ctx.idl, ctx.endpoint.protocol, await raw.receive(), { service: 'Conformance', method: 'ping' });
      if (answer.seqid !== seqid || answer.type !== MessageType.REPLY) fail('the answer does not carry the call\'s seqid', { seqid, type: 'REPLY' }, answer);
    }
  } finally {
    raw.close();
  }
}

async function mismatchedProtocol(ctx: CaseContext, c: ThriftCase): Promise<void> {
  const seconds = c.withinSeconds ?? 5;
  await withClient(ctx, async (client) => {
    let answered: unknown;
    try {
      answered = await client.call('Conformance', c.method ?? 'echoString', argumentsOf(ctx.idl, { method: c.method ?? 'echoString', ...(c.args ? { args: c.args } : {}) }));
    } catch (error) {
      if (error instanceof ClientTimeout) fail(`no error within ${seconds} s: the exchange hung`, 'a clear error', String(error));
      return;
    }
    fail('the server answered a request in the wrong protocol', 'a clear error', answered);
  }, { writeProtocol: c.writes ?? 'compact', timeoutMs: seconds * 1000 });
  await pingFresh(ctx);
}

async function raw(ctx: CaseContext, c: ThriftCase): Promise<void> {
  const send = c.send ?? {};
  let payload = send.truncatedCall
    ? encodeRequest(ctx.idl, ctx.endpoint.protocol, { service: 'Conformance', method: send.truncatedCall.method, args: argumentsOf(ctx.idl, send.truncatedCall), seqid: 1 }).subarray(0, send.truncatedCall.keepBytes)
    : Buffer.from(send.$hex ?? '', 'hex');
  if (ctx.endpoint.transport === 'framed') {
    const header = Buffer.alloc(4);
    header.writeInt32BE(c.frameLength ?? payload.length);
    payload = Buffer.concat([header, payload]);
  }
  const seconds = c.withinSeconds ?? 5;
  await new Promise<void>((resolve, reject) => {
    const socket = netConnect(ctx.endpoint.socket === 'unix' ? { path: ctx.endpoint.path ?? '' } : { host: ctx.endpoint.host ?? '127.0.0.1', port: ctx.endpoint.port ?? 0 }, () => {
      socket.write(payload);
      if (c.halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CaseFailure(`the server kept the connection open for ${seconds} s after bad input`));
    }, seconds * 1000);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await pingFresh(ctx);
}

/** A local stub: accepts and never answers (HTTP: never responds). */
function silentServer(transport: string): Promise<{ port: number; close(): void }> {
  return new Promise((resolve) => {
    const sockets = new Set<Socket>();
    const server: Server = transport === 'http' ? createHttpServer(() => undefined) : createServer((s) => { sockets.add(s); });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        },
      });
    });
  });
}

async function clientTimeout(ctx: CaseContext, c: ThriftCase): Promise<void> {
  const silent = await silentServer(ctx.endpoint.transport);
  const timeoutMs = c.timeoutMillis ?? 1000;
  const started = Date.now();
  try {
    await withClient({ ...ctx, endpoint: { ...ctx.endpoint, socket: 'tcp', host: '127.0.0.1', port: silent.port } }, async (client) => {
      try {
        await client.call('Conformance', 'ping', {});
      } catch (error) {
        const elapsed = Date.now() - started;
        if (!(error instanceof ClientTimeout)) fail('expected a client timeout', 'ClientTimeout', String(error));
        if (elapsed > timeoutMs + 2000) fail('the timeout fired late', timeoutMs, elapsed);
        return;
      }
      fail('a silent server answered', 'ClientTimeout', 'an answer');
    }, { timeoutMs });
  } finally {
    silent.close();
  }
}

/** A local stub on a socket transport (buffered/framed): answers every call with its seqid + 1. */
async function wrongSeqid(ctx: CaseContext, c: ThriftCase): Promise<void> {
  const transport = ctx.endpoint.transport;
  if (transport !== 'buffered' && transport !== 'framed' && transport !== 'http') return; // the stub speaks these three
  const plan = protocolPlan(ctx.endpoint.protocol, 'server');
  const fn = ctx.idl.method('Conformance', c.method ?? 'echoI32');
  const answer = (request: Buffer): Buffer => {
    const reader = newReader(plan.request, request, DEFAULT_LIMITS);
    const header = reader.readMessageBegin();
    const writer = newWriter(plan.response);
    writeReply(ctx.idl, writer, fn, fn.name, header.seqid + 1, { kind: 'response', value: 5 });
    return writer.output.toBuffer();
  };
  const sockets = new Set<Socket>();
  const server: Server = transport === 'http'
    ? createHttpServer((request, response) => {
      const parts: Buffer[] = [];
      request.on('data', (chunk: Buffer) => parts.push(chunk));
      request.on('end', () => {
        const body = answer(Buffer.concat(parts));
        response.writeHead(200, { 'content-length': body.length });
        response.end(body);
      });
    })
    : createServer((socket) => {
      sockets.add(socket);
      const splitter = transport === 'framed' ? new FrameSplitter(DEFAULT_LIMITS) : new UnframedSplitter(plan.request, DEFAULT_LIMITS);
      socket.on('data', (chunk: Buffer) => {
        for (const request of splitter.push(chunk)) {
          const body = answer(request);
          socket.write(transport === 'framed' ? Buffer.concat(frameSegments([body], body.length)) : body);
        }
      });
      socket.on('error', () => undefined);
    });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    await withClient({ ...ctx, endpoint: { ...ctx.endpoint, socket: 'tcp', host: '127.0.0.1', port } }, (client) =>
      checkedCall(ctx.idl, client, { method: fn.name, args: c.args ?? {}, expect: c.expect ?? {} }));
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
}

/** Runs one case with our client; throws CaseFailure (or the error met) when it does not pass. */
export async function runClientCase(ctx: CaseContext, c: ThriftCase): Promise<void> {
  switch (c.kind) {
    case 'call': {
      const spec: CallSpec = { method: c.method ?? '', expect: c.expect ?? {}, ...(c.service ? { service: c.service } : {}), ...(c.args ? { args: c.args } : {}) };
      await withClient(ctx, (client) => checkedCall(ctx.idl, client, spec));
      return;
    }
    case 'oneway':
      await withClient(ctx, async (client) => {
        await checkedCall(ctx.idl, client, { method: c.method ?? '', expect: {}, ...(c.args ? { args: c.args } : {}) });
        if (c.then) await checkedCall(ctx.idl, client, c.then);
      });
      return;
    case 'sequence':
      await withClient(ctx, async (client) => {
        for (const call of c.calls ?? []) await checkedCall(ctx.idl, client, call);
      });
      return;
    case 'unknown-method': return unknownMethod(ctx, c);
    case 'seqid-echo': return seqidEcho(ctx, c);
    case 'mismatched-protocol': return mismatchedProtocol(ctx, c);
    case 'raw': return raw(ctx, c);
    case 'client-timeout': return clientTimeout(ctx, c);
    case 'wrong-seqid': return wrongSeqid(ctx, c);
    default: throw new Error(`no procedure for case kind ${c.kind}`);
  }
}
