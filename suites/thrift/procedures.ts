// What an implementation's client does in ts-client cells, one procedure per case kind
// (data/README.md), through the adapter contract (harness/contract/thrift.ts). The raw-wire kinds
// (unknown methods, chosen sequence ids, garbage, truncated calls) test the PEER server with bytes
// our own codec writes (impls/thrift/raw.ts); they run beside implementations that declare the
// raw-wire feature, so that each such case runs once per peer cell.
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { createServer as createHttpServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { ThriftClientHandle, ThriftClientOptions, ThriftEndpoint, ThriftImplementation } from '../../harness/contract/thrift.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import type { ClientCaseRun, Endpoint } from '../../harness/vitest/family-driver.ts';
import { CaseMismatch } from '../../harness/results/case-mismatch.ts';
import { ownCpuWait } from '../../harness/host/schedstat.ts';
import type { WireRecorder } from '../../impls/wire/recorder.ts';
import { decodeAnswer, encodeMessage, encodeRequest, loadIdl, MessageType, protocolPlan, RawConnection, type Idl } from '../../impls/thrift/index.ts';
import { asCall, callBoundMs, IDL_PATH, type CallSpec, type ThriftCase } from './catalogue.ts';
import { applicationErrorName, describeOutcome, mismatch } from './expectations.ts';
import { conformanceIdl } from './idl.ts';
import { argsFromNotation } from './notation.ts';
import { outcomeOf } from '../outcome.ts';

const CALL_TIMEOUT_MS = 20_000;
export const HTTP_PATH = '/thrift';

let wireIdl: Idl | undefined;
/** Our codec's reading of the IDL, for the bytes the raw-wire procedures write. */
function rawIdl(): Idl {
  wireIdl ??= loadIdl(IDL_PATH);
  return wireIdl;
}

let idlText: string | undefined;
export function contractEndpoint(cell: Cell, endpoint: Endpoint): ThriftEndpoint {
  idlText ??= readFileSync(IDL_PATH, 'utf8');
  return {
    transport: cell.transport, protocol: cell.protocol, socket: endpoint.socket as ThriftEndpoint['socket'],
    host: endpoint.host, port: endpoint.port, httpPath: HTTP_PATH, idl: { path: IDL_PATH, text: idlText },
    ...(endpoint.path ? { path: endpoint.path } : {}),
    ...(endpoint.tls ? { tls: { ca: endpoint.tls.ca } } : {}),
  };
}

interface Context {
  readonly cell: Cell;
  readonly endpoint: Endpoint;
  readonly adapter: ThriftImplementation;
  readonly recorder: WireRecorder;
}

async function withClient(ctx: Context, body: (client: ThriftClientHandle) => Promise<void>, options: Partial<ThriftClientOptions> = {}, endpoint = ctx.endpoint): Promise<void> {
  const connect = ctx.adapter.connect;
  if (!connect) throw new Error(`${ctx.cell.implementation} has no client`);
  const client = await connect(contractEndpoint(ctx.cell, endpoint), { timeoutMs: CALL_TIMEOUT_MS, recorder: ctx.recorder, ...options });
  try {
    await body(client);
  } finally {
    await client.close();
  }
}

/** Makes one call and checks its outcome against the expectation. */
async function checkedCall(client: ThriftClientHandle, spec: CallSpec): Promise<void> {
  const idl = conformanceIdl();
  const service = spec.service ?? 'Conformance';
  const fn = idl.fn(service, spec.method);
  const outcome = await outcomeOf(client.call(service, spec.method, argsFromNotation(idl, fn.args, spec.args)));
  if (fn.oneway) {
    if (!outcome.ok) throw new CaseMismatch({ what: `one-way ${spec.method}`, expected: 'accepted', actual: describeOutcome(outcome) });
    return;
  }
  const problem = mismatch(spec, outcome);
  if (problem) throw problem;
}

/** A fresh, correct connection's ping must answer: the server survived the bad input. */
async function pingFresh(ctx: Context): Promise<void> {
  await withClient(ctx, (client) => checkedCall(client, { method: 'ping', expect: { response: null } }), { timeoutMs: 10_000 })
    .catch((error: unknown) => { throw new CaseMismatch({ what: 'the server does not answer a ping on a new connection', expected: 'ping answered', actual: String(error) }); });
}

function rawEndpoint(ctx: Context): Parameters<typeof RawConnection.open>[0] {
  const e = ctx.endpoint;
  return {
    transport: ctx.cell.transport, protocol: ctx.cell.protocol, socket: e.socket as 'tcp', host: e.host, port: e.port, httpPath: HTTP_PATH,
    ...(e.path ? { path: e.path } : {}), ...(e.tls ? { tls: { ca: e.tls.ca } } : {}),
  };
}

/** The name a client of the cell's protocol writes for a method (multiplexed: "Service:method"). */
function wireName(cell: Cell, method: string): string {
  return protocolPlan(cell.protocol, 'client').multiplexed ? `Conformance:${method}` : method;
}

async function unknownMethod(ctx: Context, c: ThriftCase): Promise<void> {
  const raw = await RawConnection.open(rawEndpoint(ctx), { recorder: ctx.recorder, timeoutMs: 10_000 });
  try {
    const plan = protocolPlan(ctx.cell.protocol, 'client');
    await raw.send(encodeMessage(plan.request, wireName(ctx.cell, c.method ?? 'noSuchMethod'), MessageType.CALL, 1), 1);
    const answer = decodeAnswer(rawIdl(), ctx.cell.protocol, await raw.receive());
    const actual = answer.outcome.kind === 'applicationError' ? applicationErrorName(answer.outcome.type) : `message type ${answer.type} (${answer.outcome.kind})`;
    if (actual !== c.expect?.applicationError?.type) throw new CaseMismatch({ what: 'a call of a method the server lacks', expected: `TApplicationException ${c.expect?.applicationError?.type}`, actual: actual });
    if (answer.seqid !== 1) throw new CaseMismatch({ what: 'the answer carries the call\'s sequence id', expected: 'seqid 1', actual: `seqid ${answer.seqid}` });
  } finally {
    raw.close();
  }
  if (c.then) await withClient(ctx, (client) => checkedCall(client, c.then as CallSpec));
}

async function seqidEcho(ctx: Context, c: ThriftCase): Promise<void> {
  const raw = await RawConnection.open(rawEndpoint(ctx), { recorder: ctx.recorder, timeoutMs: 10_000 });
  try {
    const plan = protocolPlan(ctx.cell.protocol, 'client');
    for (const seqid of c.seqids ?? []) {
      await raw.send(encodeMessage(plan.request, wireName(ctx.cell, 'ping'), MessageType.CALL, seqid), seqid);
      const answer = decodeAnswer(rawIdl(), ctx.cell.protocol, await raw.receive());
      if (answer.seqid !== seqid || answer.type !== MessageType.REPLY) {
        throw new CaseMismatch({ what: 'every REPLY carries the sequence id of its CALL', expected: `REPLY with seqid ${seqid}`, actual: `message type ${answer.type} with seqid ${answer.seqid}` });
      }
    }
  } finally {
    raw.close();
  }
}

async function mismatchedProtocol(ctx: Context, c: ThriftCase): Promise<void> {
  const seconds = c.withinSeconds ?? 5;
  const clientTimeoutMs = seconds * 1000 + 5_000;
  const spec: CallSpec = { method: c.method ?? 'echoString', ...(c.args ? { args: c.args } : {}), expect: { response: null } };
  // Before the clock, as in the peers: the server answers a correct call, so a failure below is the bad request's.
  await pingFresh(ctx);
  await withClient(ctx, async (client) => {
    // The bound is the server's: the clock (monotonic, which no clock step moves) starts once the
    // client is connected, TLS included, as the peers' clients do.
    // The bound is time this thread could run (harness/host/schedstat.ts); the client's own
    // timeout, later, is never one (the server may never have said anything).
    const started = performance.now();
    const waited = ownCpuWait();
    const idl = conformanceIdl();
    const fn = idl.fn('Conformance', spec.method);
    const outcome = await outcomeOf(client.call('Conformance', spec.method, argsFromNotation(idl, fn.args, spec.args)));
    const elapsed = Math.round(performance.now() - started);
    const waitedMs = Math.round(waited.stop());
    if (outcome.ok) throw new CaseMismatch({ what: 'a request in the wrong protocol must not be answered normally', expected: 'a clear error', actual: describeOutcome(outcome) });
    if (elapsed >= clientTimeoutMs || elapsed - waitedMs > seconds * 1000) {
      throw new CaseMismatch({ what: `the error must come within ${seconds} s`, expected: `within ${seconds * 1000} ms`, actual: `after ${elapsed} ms, ${waitedMs} ms of it waiting for a CPU: ${describeOutcome(outcome)}` });
    }
  }, { writeProtocol: c.writes ?? 'compact', timeoutMs: clientTimeoutMs });
  await pingFresh(ctx);
}

/** The run's CA as a SecureContext, made once per file (~0.4 ms of CPU each time; the CA does not change during a run). */
const caContexts = new Map<string, SecureContext>();
function caContext(path: string): SecureContext {
  let context = caContexts.get(path);
  if (context === undefined) {
    context = createSecureContext({ ca: readFileSync(path) });
    caContexts.set(path, context);
  }
  return context;
}

function openSocket(endpoint: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = endpoint.socket === 'unix'
      ? netConnect({ path: endpoint.path ?? '' }, () => resolve(socket))
      : endpoint.socket === 'tls'
        ? tlsConnect({ host: endpoint.host, port: endpoint.port, secureContext: caContext(endpoint.tls?.ca ?? ''), servername: 'localhost' }, () => resolve(socket))
        : netConnect({ host: endpoint.host, port: endpoint.port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The first keepBytes of a real call in the cell's request protocol. */
function truncatedCall(cell: Cell, call: { method: string; args: Record<string, unknown>; keepBytes: number }): Buffer {
  const idl = conformanceIdl();
  const args = argsFromNotation(idl, idl.fn('Conformance', call.method).args, call.args as Record<string, never>);
  return encodeRequest(rawIdl(), cell.protocol, { service: 'Conformance', method: call.method, args, seqid: 1 }).subarray(0, call.keepBytes);
}

async function raw(ctx: Context, c: ThriftCase): Promise<void> {
  const send = c.send ?? {};
  let payload = send.truncatedCall ? truncatedCall(ctx.cell, send.truncatedCall) : Buffer.from(send.$hex ?? '', 'hex');
  if (ctx.cell.transport === 'framed' || ctx.cell.transport === 'fastframed') {
    const header = Buffer.alloc(4);
    header.writeInt32BE(c.frameLength ?? payload.length);
    payload = Buffer.concat([header, payload]);
  }
  const seconds = c.withinSeconds ?? 5;
  const socket = await openSocket(ctx.endpoint);
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    // The bound is time this thread could run: after a wait for a CPU the timer fires before the
    // close that came in time is read (harness/host/schedstat.ts), so what is left is waited again.
    const boundMs = seconds * 1000;
    const started = performance.now();
    const waited = ownCpuWait();
    const expire = (): void => {
      const elapsed = performance.now() - started;
      const waitedMs = waited.stop();
      if (elapsed - waitedMs < boundMs) {
        timer = setTimeout(expire, boundMs - (elapsed - waitedMs));
        return;
      }
      socket.destroy();
      const still = `still open after ${Math.round(elapsed)} ms, ${Math.round(waitedMs)} ms of it waiting for a CPU`;
      reject(new CaseMismatch({ what: `the server closes a connection that sent bad input within ${seconds} s`, expected: 'the connection closed', actual: `${still} (received ${Buffer.concat(parts).toString('hex') || 'nothing'})` }));
    };
    let timer = setTimeout(expire, boundMs);
    socket.on('data', (chunk: Buffer) => { ctx.recorder.received(chunk); parts.push(chunk); });
    socket.on('error', () => undefined); // a reset is a close
    socket.on('close', () => { clearTimeout(timer); resolve(); });
    ctx.recorder.sent(payload);
    socket.write(payload);
    if (c.halfClose) socket.end();
  });
  await pingFresh(ctx);
}

interface Stub {
  readonly port: number;
  close(): void;
}

function listenStub(server: Server): Promise<Stub> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        close: () => { server.close(); (server as { closeAllConnections?: () => void }).closeAllConnections?.(); },
      });
    });
  });
}

/** A listener that accepts and never answers: for the client's timeout (TCP; HTTP never responds). */
function silentServer(transport: string): Promise<Stub> {
  const sockets = new Set<Socket>();
  const server: Server = transport === 'http' ? createHttpServer(() => undefined) : createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
  return listenStub(server).then((stub) => ({ ...stub, close: () => { for (const s of sockets) s.destroy(); stub.close(); } }));
}

async function clientTimeout(ctx: Context, c: ThriftCase): Promise<void> {
  const silent = await silentServer(ctx.cell.transport);
  const timeoutMs = c.timeoutMillis ?? 250;
  try {
    await withClient(ctx, async (client) => {
      const started = performance.now();
      const outcome = await outcomeOf(client.call('Conformance', 'ping', {}));
      const elapsed = Math.round(performance.now() - started);
      if (outcome.ok) throw new CaseMismatch({ what: 'a server that never answers', expected: 'a timeout error', actual: describeOutcome(outcome) });
      if (elapsed < timeoutMs - 20) throw new CaseMismatch({ what: 'the timeout fires when the time is up, not before', expected: `after ${timeoutMs} ms`, actual: `after ${elapsed} ms: ${describeOutcome(outcome)}` });
      if (elapsed > timeoutMs + 2_000) throw new CaseMismatch({ what: 'the timeout fires when the time is up', expected: `about ${timeoutMs} ms`, actual: `after ${elapsed} ms` });
    }, { timeoutMs }, { ...ctx.endpoint, port: silent.port, socket: 'tcp' });
  } finally {
    silent.close();
  }
}

/** A stub that answers every call with the right method name but the next sequence id. */
function wrongSeqidServer(cell: Cell): Promise<Stub> {
  const plan = protocolPlan(cell.protocol, 'client');
  const answer = (request: Buffer): Buffer => {
    const begin = decodeAnswer(rawIdl(), plan.request, request);
    const name = begin.name.slice(begin.name.indexOf(':') + 1);
    return encodeMessage(plan.response, name, MessageType.REPLY, begin.seqid + 1);
  };
  const framed = cell.transport === 'framed' || cell.transport === 'fastframed';
  const server: Server = cell.transport === 'http'
    ? createHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (chunk: Buffer) => parts.push(chunk));
      req.on('end', () => { const body = answer(Buffer.concat(parts)); res.writeHead(200, { 'content-length': body.length }); res.end(body); });
    })
    : createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        const body = answer(framed ? chunk.subarray(4) : chunk);
        const header = Buffer.alloc(4);
        header.writeInt32BE(body.length);
        socket.write(framed ? Buffer.concat([header, body]) : body);
      });
      socket.on('error', () => undefined);
    });
  return listenStub(server);
}

async function wrongSeqid(ctx: Context, c: ThriftCase): Promise<void> {
  const stub = await wrongSeqidServer(ctx.cell);
  // The stub answers at once on loopback: the case's own timeout bounds a client that ignores the
  // answer and waits (it then fails with its timeout, not with BAD_SEQUENCE_ID).
  const timeoutMs = c.timeoutMillis ?? 5_000;
  try {
    await withClient(ctx, (client) => checkedCall(client, asCall(c)), { timeoutMs }, { ...ctx.endpoint, port: stub.port, socket: 'tcp' });
  } finally {
    stub.close();
  }
}

export async function runClientCase(run: ClientCaseRun<ThriftCase>): Promise<void> {
  const ctx: Context = { cell: run.cell, endpoint: run.endpoint, adapter: run.implementation.adapter as ThriftImplementation, recorder: run.recorder };
  const c = run.testCase;
  const boundMs = callBoundMs(c, ctx.cell.protocol);
  const bound = boundMs !== undefined ? { timeoutMs: boundMs } : {};
  switch (c.kind) {
    case 'call': return withClient(ctx, (client) => checkedCall(client, asCall(c)), bound);
    case 'oneway': return withClient(ctx, async (client) => {
      await checkedCall(client, asCall({ ...c, expect: { response: null } }));
      if (!c.then) throw new Error(`case ${c.id} has no then`);
      await checkedCall(client, c.then);
    }, bound);
    case 'sequence': return withClient(ctx, async (client) => {
      for (const step of c.calls ?? []) await checkedCall(client, step);
    }, bound);
    case 'unknown-method': return unknownMethod(ctx, c);
    case 'seqid-echo': return seqidEcho(ctx, c);
    case 'mismatched-protocol': return mismatchedProtocol(ctx, c);
    case 'raw': return raw(ctx, c);
    case 'client-timeout': return clientTimeout(ctx, c);
    case 'wrong-seqid': return wrongSeqid(ctx, c);
    default: throw new Error(`no procedure for case kind ${c.kind}`);
  }
}
