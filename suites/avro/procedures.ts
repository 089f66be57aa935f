// How an implementation's client runs each kind of case against a reference server (the
// ts-client direction), through the adapter contract (harness/contract/avro.ts). Plain call cases
// come from the catalogue; the handshake and wire cases are procedures written here, each
// asserting on handshake records or on the bytes. A kind that needs an optional feature only runs
// for implementations that declare it (catalogue.ts).
import { connect as tcpConnect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AvroClientHandle, AvroClientOptions, AvroImplementation, HandshakeRecord } from '../../harness/contract/avro.ts';
import { avroErrorOf } from '../../harness/contract/avro.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import type { ClientCaseRun, Endpoint } from '../../harness/vitest/family-driver.ts';
import { CaseMismatch } from '../../harness/results/case-mismatch.ts';
import { teeRecorder, WireTrace, type WireRecorder } from '../../impls/wire/recorder.ts';
import { nettyCodec } from '../../impls/avro/framing/netty.ts';
import { standardCodec } from '../../impls/avro/framing/standard.ts';
import type { Protocol } from '../../impls/avro/index.ts';
import { callsOf, fillTemplate, protocolText, type AvroCase, type CallStep, type LooseStep } from './catalogue.ts';
import { describeOutcome, loadProtocol, mismatch, requestFromNotation } from './expectations.ts';
import { avroEquals, fromNotation, show } from './notation.ts';
import { outcomeOf } from '../outcome.ts';

const SCHEME: Readonly<Record<string, string>> = { http: 'http', tcp: 'tcp', netty: 'netty', 'netty-deflate': 'netty-deflate', sasl: 'avro' };

export function urlFor(transport: string, endpoint: Endpoint): string {
  const scheme = SCHEME[transport];
  if (!scheme) throw new Error(`no Avro URL scheme for transport ${transport}`);
  return `${scheme}://${endpoint.host}:${endpoint.port}/`;
}

// A call's own bound. The slowest answer measured (a 1 MiB echo through a released program on a
// loaded 2-core machine) takes a few seconds; a server that never answers (a known failure of
// python-avro-tool's rpcreceive with chunked bodies) costs this much per case, so it is no longer
// than that needs.
const CALL_TIMEOUT_MS = 10_000;

function check(condition: boolean, summary: string, expected: string, actual: string): void {
  if (!condition) throw new CaseMismatch({ what: summary, expected: expected, actual: actual });
}

interface ProcedureContext {
  readonly cell: Cell;
  readonly endpoint: Endpoint;
  readonly adapter: AvroImplementation;
  readonly recorder: WireRecorder;
}

/** A fresh client per use, closed afterwards: cases do not share connection state. */
async function withClient<T>(ctx: ProcedureContext, protocol: { name: string; text: string }, options: Partial<AvroClientOptions>,
  body: (client: AvroClientHandle) => Promise<T>): Promise<T> {
  const connect = ctx.adapter.connect;
  if (!connect) throw new Error(`${ctx.cell.implementation} has no client`);
  const client = await connect({ url: urlFor(ctx.cell.transport, ctx.endpoint), transport: ctx.cell.transport, protocol },
    { timeoutMs: CALL_TIMEOUT_MS, recorder: ctx.recorder, ...options });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

function source(name: string): { name: string; text: string } {
  return { name, text: protocolText(name) };
}

async function runStep(client: AvroClientHandle, protocol: Protocol, step: CallStep): Promise<void> {
  const outcome = await outcomeOf(client.call(step.message, requestFromNotation(protocol, step.message, step.request)));
  const problem = mismatch(protocol, step.message, step.expect, outcome);
  if (problem) throw problem;
}

/** A protocol the server has never seen: same messages, a hash of its own. */
function unseenVariant(protocol: Protocol): { name: string; text: string } {
  const json = JSON.parse(protocol.text) as { messages: Record<string, unknown> };
  json.messages[`neverCalled${randomBytes(4).toString('hex')}`] = { request: [], response: 'null' };
  return { name: protocol.name, text: JSON.stringify(json) };
}

const HEX = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('hex') : 'null');

function handshakesOf(client: AvroClientHandle): readonly HandshakeRecord[] {
  if (!client.handshakes) throw new Error('the implementation does not expose its handshakes');
  return client.handshakes();
}

function matches(records: readonly HandshakeRecord[]): string {
  return records.map((h) => h.response.match).join(', ') || 'none';
}

/** Runs one case; every byte the client exchanges with the peer goes to the recorder. */
export async function runClientCase(run: ClientCaseRun<AvroCase>): Promise<void> {
  const ctx: ProcedureContext = { cell: run.cell, endpoint: run.endpoint, adapter: run.implementation.adapter as AvroImplementation, recorder: run.recorder };
  const testCase = run.testCase;
  // A protocol copy (clientProtocol): the client speaks it, and the case's values are read against it.
  const spoken = testCase.clientProtocol ?? testCase.protocol;
  const protocol = loadProtocol(spoken);
  const own = source(spoken);
  const echoInt = async (client: AvroClientHandle, value: number): Promise<void> => {
    const outcome = await outcomeOf(client.call('echoInt', { value }));
    check(outcome.ok && outcome.value === value, `echoInt(${value})`, `response ${value}`, describeOutcome(outcome));
  };
  switch (testCase.kind) {
    case 'call':
      // With batchSize (Flume's batch-size): the events as consecutive calls on one connection, each checked.
      if (testCase.batchSize !== undefined) {
        return withClient(ctx, own, {}, async (client) => {
          for (const step of callsOf(testCase)) await runStep(client, protocol, { ...step, expect: step.expect ?? {} });
        });
      }
      return withClient(ctx, own, {}, (client) => runStep(client, protocol, {
        message: testCase.message ?? '', request: testCase.request ?? {}, expect: testCase.expect ?? {},
      }));
    case 'sequence':
      return withClient(ctx, own, {}, async (client) => {
        for (const step of testCase.calls ?? []) await runStep(client, protocol, { ...step, expect: step.expect ?? {} });
      });
    case 'oneway':
      return withClient(ctx, own, {}, async (client) => {
        const message = testCase.message ?? '';
        const sent = await outcomeOf(client.call(message, requestFromNotation(protocol, message, testCase.request ?? {})));
        check(sent.ok, `one-way ${message}`, 'accepted', describeOutcome(sent));
        const then = testCase.then;
        if (then) await runStep(client, protocol, { message: then.message, request: then.request, expect: { response: then.response } });
      });
    case 'concurrent':
      // A fresh connection, every call issued before any answer: on stateful transports they race the handshake.
      return withClient(ctx, own, {}, async (client) => {
        const steps = Array.from({ length: testCase.count ?? 0 }, (_, i) => fillTemplate(testCase.call as CallStep, i));
        const outcomes = await Promise.all(steps.map((step) => outcomeOf(client.call(step.message, requestFromNotation(protocol, step.message, step.request)))));
        const wrong = steps.map((step, i) => ({ i, problem: mismatch(protocol, step.message, step.expect, outcomes[i] as never) })).filter((x) => x.problem);
        if (wrong.length > 0) {
          throw new CaseMismatch({ what: `${wrong.length} of ${steps.length} concurrent calls went wrong; first: call ${wrong[0]?.i}`, expected: wrong[0]?.problem?.expected ?? '', actual: wrong[0]?.problem?.actual ?? '' });
        }
      });
    case 'many-clients': {
      const clients = Array.from({ length: testCase.clients ?? 0 }, (_, k) => k);
      await Promise.all(clients.map((k) => withClient(ctx, own, {}, async (client) => {
        for (let i = 0; i < (testCase.callsPerClient ?? 0); i++) await runStep(client, protocol, fillTemplate(testCase.call as CallStep, i, k));
      })));
      return;
    }
    case 'reconnect':
      for (const calls of testCase.connections ?? []) {
        await withClient(ctx, own, {}, async (client) => {
          for (const step of calls) await runStep(client, protocol, step);
          // Where the client shows its handshakes: a stateful connection starts with one.
          if (client.handshakes && ctx.cell.transport !== 'http') {
            const accepted = client.handshakes().filter((h) => h.response.match !== 'NONE').length;
            check(accepted === 1, 'a new connection redoes the stateful handshake, once', '1 accepted handshake', `${accepted}: ${matches(client.handshakes())}`);
          }
        });
      }
      return;
    case 'pipelined':
      return withClient(ctx, own, {}, async (client) => {
        await runStep(client, protocol, testCase.establish as CallStep);
        const steps = (testCase.calls ?? []) as CallStep[];
        const arrived: number[] = [];
        const outcomes = await Promise.all(steps.map((step, i) => outcomeOf(client.call(step.message, requestFromNotation(protocol, step.message, step.request)).finally(() => arrived.push(i)))));
        steps.forEach((step, i) => {
          const problem = mismatch(protocol, step.message, step.expect, outcomes[i] as never);
          if (problem) throw problem;
        });
        const order = testCase.answerOrder ?? [];
        check(arrived.join(',') === order.join(','), 'answers matched by serial, in the order the server finished them', order.join(','), arrived.join(','));
      });
    case 'oneway-interleaved':
      return withClient(ctx, own, {}, async (client) => {
        for (const step of (testCase.calls ?? []) as LooseStep[]) {
          if (step.expect) {
            await runStep(client, protocol, step as CallStep);
            continue;
          }
          const sent = await outcomeOf(client.call(step.message, requestFromNotation(protocol, step.message, step.request)));
          check(sent.ok, `one-way ${step.message}`, 'accepted', describeOutcome(sent));
        }
        const then = testCase.then;
        if (!then) return;
        const last = await outcomeOf(client.call(then.message, requestFromNotation(protocol, then.message, then.request)));
        const definition = protocol.messages.get(then.message);
        const allowed = (then.responseOneOf ?? []).map((json) => fromNotation(definition?.response as never, json));
        check(last.ok && allowed.some((a) => avroEquals(definition?.response as never, last.value, a)), `${then.message} after the one-way calls`,
          `one of ${allowed.map((a) => show(a)).join(', ')}`, describeOutcome(last));
      });
    case 'ping':
      return withClient(ctx, own, {}, async (client) => {
        const outcome = await outcomeOf((client.ping as () => Promise<void>)());
        check(outcome.ok, 'ping', 'a handshake-only answer', describeOutcome(outcome));
        const last = handshakesOf(client).at(-1)?.response;
        check(last !== undefined && last.match !== 'NONE', 'ping should end with an accepted handshake', 'BOTH or CLIENT', matches(handshakesOf(client)));
        await echoInt(client, 7); // the connection still serves calls after a ping
      });
    case 'handshake-first-contact': {
      const fresh = unseenVariant(protocol);
      return withClient(ctx, fresh, {}, async (client) => {
        await echoInt(client, 1);
        const [first, second, ...rest] = handshakesOf(client);
        check(first !== undefined && first.request.clientProtocol === null, 'the first handshake should carry no protocol text', 'clientProtocol null', show(first?.request.clientProtocol));
        check(first?.response.match === 'NONE', 'an unknown client hash should be answered NONE', 'NONE', String(first?.response.match));
        check(first?.response.serverProtocol !== null && first?.response.serverHash !== null, 'NONE must come with the server protocol and hash', 'both present', `protocol ${first?.response.serverProtocol === null ? 'absent' : 'present'}, hash ${HEX(first?.response.serverHash)}`);
        check(second !== undefined && second.request.clientProtocol === fresh.text, 'the resend should carry our protocol text', 'our protocol text', show(second?.request.clientProtocol));
        check(HEX(second?.request.serverHash) === HEX(first?.response.serverHash), 'the resend should present the server hash learned from NONE', HEX(first?.response.serverHash), HEX(second?.request.serverHash));
        check(second?.response.match === 'BOTH', 'the resend should be answered BOTH', 'BOTH', String(second?.response.match));
        check(rest.length === 0, 'no more handshakes after BOTH', '2 handshakes', `${2 + rest.length}: ${matches(handshakesOf(client))}`);
      });
    }
    case 'handshake-both':
    case 'handshake-client': {
      // First make sure the server knows our protocol and learn its hash.
      const serverHash = await withClient(ctx, own, {}, async (client) => {
        await echoInt(client, 2);
        return handshakesOf(client).find((h) => h.response.serverHash !== null)?.response.serverHash ?? undefined;
      });
      if (!serverHash) throw new CaseMismatch({ what: 'the server never sent its hash', expected: 'a serverHash in a handshake response', actual: 'none' });
      const guess = testCase.kind === 'handshake-both' ? serverHash : randomBytes(16);
      return withClient(ctx, own, { serverHashGuess: guess }, async (client) => {
        await echoInt(client, 3);
        const records = handshakesOf(client);
        const [first] = records;
        check(records.length === 1, 'one handshake', '1 handshake', `${records.length}: ${matches(records)}`);
        if (testCase.kind === 'handshake-both') {
          check(first?.response.match === 'BOTH', 'the server hash we presented is right: BOTH', 'BOTH', String(first?.response.match));
          check(first?.response.serverProtocol === null, 'BOTH should not resend the server protocol', 'serverProtocol null', 'present');
        } else {
          check(first?.response.match === 'CLIENT', 'a stale server hash: CLIENT', 'CLIENT', String(first?.response.match));
          check(HEX(first?.response.serverHash) === HEX(serverHash), 'CLIENT carries the server hash', HEX(serverHash), HEX(first?.response.serverHash));
          check(first?.response.serverProtocol !== null, 'CLIENT carries the server protocol', 'serverProtocol present', 'null');
        }
      });
    }
    case 'handshake-count': {
      // This case checks the bytes themselves, so it keeps its own copy of what was sent.
      const trace = new WireTrace(1024 * 1024);
      const bytesCtx = { ...ctx, recorder: teeRecorder(ctx.recorder, trace) };
      return withClient(bytesCtx, own, {}, async (client) => {
        for (const value of [10, 11, 12]) await echoInt(client, value);
        const records = handshakesOf(client);
        const nones = records.filter((h) => h.response.match === 'NONE').length;
        check(nones <= 1, 'NONE at most once', '0 or 1', String(nones));
        // On the bytes: a request payload that starts with our protocol hash (HandshakeRequest's
        // first field, clientHash) carries a handshake; a bare call starts with its metadata map.
        const payloads = requestPayloads(ctx.cell, trace.sentBytes);
        const withHandshake = payloads.filter((p) => p.subarray(0, 16).equals(protocol.hash)).length;
        const stateless = ctx.cell.transport === 'http';
        const expected = (stateless ? 3 : 1) + nones;
        const what = stateless ? 'stateless: every request carries a handshake' : 'stateful: only the first call (and its resend after NONE) carries a handshake';
        check(payloads.length === 3 + nones, 'request payloads on the wire', String(3 + nones), String(payloads.length));
        check(withHandshake === expected, what, `${expected} of ${payloads.length}`, String(withHandshake));
        check(records.length === expected, 'handshakes the client recorded', String(expected), String(records.length));
      });
    }
    case 'handshake-v2-added-field':
      return withClient(ctx, source('conformance-v2'), {}, async (client) => {
        const answer = await outcomeOf(client.call('echoPoint', { value: { x: 1, y: 2, z: 9 } }));
        const point = answer.ok ? (answer.value as { x: number; y: number; z: number }) : undefined;
        check(point?.x === 1 && point.y === 2 && point.z === 0, 'a v2 client against a v1 server: z dropped by the server, its default on reading', '{x:1,y:2,z:0}', describeOutcome(answer));
      });
    case 'handshake-v2-missing-message':
      return withClient(ctx, source('conformance-v2'), {}, async (client) => {
        const missing = await outcomeOf(client.call('echoNew', { value: 'only in v2' }));
        check(!missing.ok && avroErrorOf(missing.error)?.kind === 'system', 'a message the server lacks gets a system error', 'system error', describeOutcome(missing));
        await echoInt(client, 5); // the connection keeps serving
      });
    case 'handshake-incompatible':
      return withClient(ctx, source('conformance-incompatible'), { timeoutMs: 10_000 }, async (client) => {
        const outcome = await outcomeOf(client.call('echoInt', { value: { text: 'not an int' } }));
        const error = outcome.ok ? undefined : outcome.error;
        const timedOut = error instanceof Error && /no response within|timed? ?out/i.test(error.message);
        check(!outcome.ok && !timedOut, 'an incompatible call fails with a clear error', 'a system error or a decoding error (not a hang)', describeOutcome(outcome));
      });
    case 'handshake-metadata': {
      const meta = { 'conformance-trace': Buffer.from([0xff, 0x00, 0x80]), empty: Buffer.alloc(0) };
      return withClient(ctx, own, { handshakeMeta: meta, callMeta: meta }, async (client) => {
        const callWithMeta = client.callWithMeta;
        if (!callWithMeta) throw new Error('the implementation declares metadata but has no callWithMeta');
        const result = await outcomeOf(callWithMeta.call(client, 'echoInt', { value: 8 }));
        const answered = result.ok ? (result.value as { response: unknown }).response : undefined;
        check(answered === 8, 'a call with metadata', 'response 8', describeOutcome(result));
        for (const h of handshakesOf(client)) {
          const m = h.response.meta;
          check(m === null || Object.values(m).every((v) => v instanceof Uint8Array), 'handshake response meta maps to bytes', 'bytes values', show(m));
        }
      });
    }
    case 'wire-garbage':
      return whileRawOpen(ctx, Buffer.concat([u32(5), Buffer.from('hello'), u32(0)]), () => expectStillServing(ctx, own));
    case 'wire-truncated':
      return whileRawOpen(ctx, Buffer.concat([u32(200), randomBytes(60)]), () => expectStillServing(ctx, own));
    case 'wire-oversize':
      return whileRawOpen(ctx, Buffer.concat([u32(0x7fffffff), randomBytes(16)]), () => expectStillServing(ctx, own));
    default:
      throw new Error(`no procedure for case kind ${testCase.kind}`);
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

/** Splits the bytes a client sent back into request payloads, with the cell's own framing. */
function requestPayloads(cell: Cell, sent: Buffer): Buffer[] {
  const codec = cell.transport === 'netty' ? nettyCodec() : standardCodec();
  // SASL: the START frame (status, mechanism, initial response) precedes standard framing.
  let bytes = sent;
  if (cell.transport === 'sasl') {
    const mechanism = sent.readUInt32BE(1);
    const initial = sent.readUInt32BE(5 + mechanism);
    bytes = sent.subarray(9 + mechanism + initial);
  }
  return codec.decoder().push(bytes).map((frame) => frame.payload);
}

/** Upper bound on how long a bad HTTP request may take to be answered before the check goes on. */
const RAW_HTTP_WAIT_MS = 3_000;

/**
 * Sends bytes that are not a valid request and, while that connection is still open (a server may
 * rightly wait for the rest of a truncated frame), checks that the server serves a new client.
 * Over HTTP the bytes are the body of a POST, answered (or not) before the check; on sockets they
 * follow whatever preamble the framing needs.
 */
async function whileRawOpen(ctx: ProcedureContext, bytes: Buffer, check: () => Promise<void>): Promise<void> {
  const { host, port } = ctx.endpoint;
  if (ctx.cell.transport === 'http') {
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host, port, method: 'POST', path: '/', timeout: RAW_HTTP_WAIT_MS,
        headers: { 'Content-Type': 'avro/binary', 'Content-Length': bytes.length } }, (res) => {
        res.on('data', (chunk: Buffer) => ctx.recorder.received(chunk));
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      ctx.recorder.sent(bytes);
      req.end(bytes);
    });
    return check();
  }
  const preamble = ctx.cell.transport === 'sasl'
    ? Buffer.concat([Buffer.from([0]), u32(9), Buffer.from('ANONYMOUS'), u32(0)])
    : ctx.cell.transport === 'netty' ? Buffer.concat([u32(1), u32(1)]) : Buffer.alloc(0);
  const request = Buffer.concat([preamble, bytes]);
  const socket = await new Promise<ReturnType<typeof tcpConnect>>((resolve, reject) => {
    const s = tcpConnect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
  socket.on('data', (chunk: Buffer) => ctx.recorder.received(chunk));
  socket.on('error', () => undefined);
  try {
    ctx.recorder.sent(request);
    await new Promise<void>((resolve) => socket.write(request, () => resolve()));
    await check();
  } finally {
    socket.destroy();
  }
}

async function expectStillServing(ctx: ProcedureContext, own: { name: string; text: string }): Promise<void> {
  await withClient(ctx, own, { timeoutMs: 10_000 }, async (client) => {
    const after = await outcomeOf(client.call('echoInt', { value: 42 }));
    check(after.ok && after.value === 42, 'after bad input the server keeps serving new clients', 'response 42', describeOutcome(after));
  });
}
