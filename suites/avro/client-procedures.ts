// How our client runs each kind of case against a reference server (the ts-client direction).
// Plain call cases come from the catalogue; the handshake and wire cases are procedures written
// here, each asserting on handshake records or on the bytes.
import { connect as tcpConnect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  AvroSystemError, AvroTransportError, connectClient, parseProtocol,
  type AvroClient, type ConnectOptions, type Protocol,
} from '../../impls/avro/index.ts';
import { teeRecorder, WireTrace, type WireRecorder } from '../../impls/wire/recorder.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import { LOOPBACK } from '../../harness/net/ports.ts';
import { nettyCodec } from '../../impls/avro/framing/netty.ts';
import { standardCodec } from '../../impls/avro/framing/standard.ts';
import { loadProtocol, type AvroCase, type CallStep } from './catalogue.ts';
import { mismatch, outcomeOf, requestFromNotation } from './expectations.ts';
import { show } from './notation.ts';

const SCHEME: Record<string, string> = { http: 'http', tcp: 'tcp', netty: 'netty', sasl: 'avro' };


export function urlFor(cell: Cell, port: number): string {
  const scheme = SCHEME[cell.transport];
  if (!scheme) throw new Error(`no Avro URL scheme for transport ${cell.transport}`);
  return `${scheme}://${LOOPBACK}:${port}/`;
}

class CaseFailure extends Error {
  override readonly name = 'CaseFailure';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new CaseFailure(message);
}

/**
 * The harness's recorder for the current case (cases run one after another in a file): every
 * connection the case opens reports to it, and the harness turns it into the case's wire dump.
 */
let caseRecorder: WireRecorder = { sent: () => undefined, received: () => undefined };

/** A fresh client per case, closed afterwards: cases do not share connection state. */
async function withClient<T>(cell: Cell, port: number, protocol: Protocol, options: ConnectOptions, body: (client: AvroClient) => Promise<T>): Promise<T> {
  const client = await connectClient(urlFor(cell, port), protocol, { timeoutMs: 20_000, recorder: caseRecorder, ...options });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

async function runStep(client: AvroClient, protocol: Protocol, step: CallStep): Promise<void> {
  const outcome = await outcomeOf(client.call(step.message, requestFromNotation(protocol, step.message, step.request)));
  const problem = mismatch(protocol, step.message, step.expect, outcome);
  if (problem) throw new CaseFailure(`${step.message}: ${problem}`);
}

/** A protocol the server has never seen: same messages, a hash of its own. */
function unseenVariant(protocol: Protocol): Protocol {
  const json = JSON.parse(protocol.text) as { messages: Record<string, unknown> };
  json.messages[`neverCalled${randomBytes(4).toString('hex')}`] = { request: [], response: 'null' };
  return parseProtocol(json);
}

const HASH_HEX = (b: Buffer | null | undefined): string => (b ? b.toString('hex') : 'null');

/** Runs one case; every byte our client exchanges with the peer goes to the recorder. */
export async function runClientCase(cell: Cell, port: number, testCase: AvroCase, recorder: WireRecorder): Promise<void> {
  caseRecorder = recorder;
  await runProcedure(cell, port, testCase);
}

async function runProcedure(cell: Cell, port: number, testCase: AvroCase): Promise<void> {
  const protocol = loadProtocol(testCase.protocol);
  const echoInt = (client: AvroClient, value: number): Promise<unknown> => client.call('echoInt', { value });
  switch (testCase.kind) {
    case 'call':
      return withClient(cell, port, protocol, {}, (client) => runStep(client, protocol, {
        message: testCase.message ?? '', request: testCase.request ?? {}, expect: testCase.expect ?? {},
      }));
    case 'sequence':
      return withClient(cell, port, protocol, {}, async (client) => {
        for (const step of testCase.calls ?? []) await runStep(client, protocol, step);
      });
    case 'oneway':
      return withClient(cell, port, protocol, {}, async (client) => {
        const message = testCase.message ?? '';
        const sent = await outcomeOf(client.call(message, requestFromNotation(protocol, message, testCase.request ?? {})));
        check(sent.ok, `one-way ${message} failed: ${sent.ok ? '' : String(sent.error)}`);
        const then = testCase.then;
        if (!then) return;
        await runStep(client, protocol, { message: then.message, request: then.request, expect: { response: then.response } });
      });
    case 'ping':
      return withClient(cell, port, protocol, {}, async (client) => {
        const outcome = await outcomeOf(client.ping());
        check(outcome.ok, `ping failed: ${outcome.ok ? '' : String(outcome.error)}`);
        const last = client.handshakes.at(-1)?.response;
        check(last !== undefined && last.match !== 'NONE', `ping ended without an accepted handshake: ${show(client.handshakes)}`);
        // The connection still serves calls after a ping.
        const after = await outcomeOf(echoInt(client, 7));
        check(after.ok && after.value === 7, `echoInt after ping: ${after.ok ? show(after.value) : String(after.error)}`);
      });
    case 'handshake-first-contact': {
      const fresh = unseenVariant(protocol);
      return withClient(cell, port, fresh, {}, async (client) => {
        const value = await echoInt(client, 1);
        check(value === 1, `echoInt answered ${show(value)}`);
        const [first, second, ...rest] = client.handshakes;
        check(first !== undefined && first.request.clientProtocol === null, 'first handshake should carry no protocol text');
        check(first?.response.match === 'NONE', `server should answer NONE to an unknown client hash, answered ${first?.response.match}`);
        check(first?.response.serverProtocol !== null && first?.response.serverHash !== null, 'NONE must come with the server protocol and hash');
        check(second !== undefined && second.request.clientProtocol === fresh.text, 'the resend should carry our protocol text');
        check(HASH_HEX(second?.request.serverHash) === HASH_HEX(first?.response.serverHash), 'the resend should present the server hash learned from NONE');
        check(second?.response.match === 'BOTH', `the resend should be answered BOTH, was ${second?.response.match}`);
        check(rest.length === 0, `unexpected extra handshakes: ${rest.length}`);
      });
    }
    case 'handshake-both':
    case 'handshake-client': {
      // First make sure the server knows our protocol and learn its hash.
      const serverHash = await withClient(cell, port, protocol, {}, async (client) => {
        await echoInt(client, 2);
        const learned = client.handshakes.find((h) => h.response.serverHash !== null)?.response.serverHash;
        return learned ?? protocol.hash;
      });
      const guess = testCase.kind === 'handshake-both' ? serverHash : randomBytes(16);
      return withClient(cell, port, protocol, { serverHashGuess: guess }, async (client) => {
        const value = await echoInt(client, 3);
        check(value === 3, `echoInt answered ${show(value)}`);
        const [first] = client.handshakes;
        check(client.handshakes.length === 1, `expected one handshake, saw ${client.handshakes.length}: ${client.handshakes.map((h) => h.response.match).join(', ')}`);
        if (testCase.kind === 'handshake-both') {
          check(first?.response.match === 'BOTH', `expected BOTH, got ${first?.response.match}`);
          check(first?.response.serverProtocol === null, 'BOTH should not resend the server protocol');
        } else {
          check(first?.response.match === 'CLIENT', `expected CLIENT for a stale server hash, got ${first?.response.match}`);
          check(HASH_HEX(first?.response.serverHash) === HASH_HEX(serverHash), `CLIENT should carry the server hash ${HASH_HEX(serverHash)}, got ${HASH_HEX(first?.response.serverHash)}`);
          check(first?.response.serverProtocol !== null, 'CLIENT should carry the server protocol');
        }
      });
    }
    case 'handshake-count': {
      // This case checks the bytes themselves, so it keeps its own copy of what was sent.
      const trace = new WireTrace(1024 * 1024);
      return withClient(cell, port, protocol, { recorder: teeRecorder(caseRecorder, trace) }, async (client) => {
        for (const value of [10, 11, 12]) check((await echoInt(client, value)) === value, `echoInt(${value}) failed`);
        const nones = client.handshakes.filter((h) => h.response.match === 'NONE').length;
        check(nones <= 1, `NONE answered ${nones} times`);
        // On the bytes: a request payload that starts with our protocol hash (HandshakeRequest's
        // first field, clientHash) carries a handshake; a bare call starts with its metadata map.
        const payloads = requestPayloads(cell, trace.sentBytes);
        const withHandshake = payloads.filter((p) => p.subarray(0, 16).equals(protocol.hash)).length;
        const expected = (cell.transport === 'http' ? 3 : 1) + nones;
        const what = cell.transport === 'http' ? 'stateless: every request' : 'stateful: the first call only (and its resend after NONE)';
        check(payloads.length === 3 + nones, `expected ${3 + nones} request payloads on the wire, decoded ${payloads.length}`);
        check(withHandshake === expected, `${what} should carry a handshake: expected ${expected} of ${payloads.length} requests to, found ${withHandshake}`);
        check(client.handshakes.length === expected, `expected ${expected} handshakes for 3 calls, the client recorded ${client.handshakes.length}`);
      });
    }
    case 'handshake-v2-added-field':
      return withClient(cell, port, loadProtocol('conformance-v2'), {}, async (client) => {
        const answer = await outcomeOf(client.call('echoPoint', { value: { x: 1, y: 2, z: 9 } }));
        check(answer.ok, `echoPoint from a v2 client failed: ${answer.ok ? '' : String(answer.error)}`);
        const point = answer.ok ? (answer.value as { x: number; y: number; z: number }) : undefined;
        check(point?.x === 1 && point.y === 2 && point.z === 0, `expected {x:1,y:2,z:0} (z dropped by the v1 server, default on reading), got ${show(point)}`);
      });
    case 'handshake-v2-missing-message':
      return withClient(cell, port, loadProtocol('conformance-v2'), {}, async (client) => {
        const missing = await outcomeOf(client.call('echoNew', { value: 'only in v2' }));
        check(!missing.ok && missing.error instanceof AvroSystemError, `a message the server lacks should get a system error, got ${missing.ok ? show(missing.value) : String(missing.error)}`);
        const after = await outcomeOf(echoInt(client, 5));
        check(after.ok && after.value === 5, `the connection should keep serving: ${after.ok ? show(after.value) : String(after.error)}`);
      });
    case 'handshake-incompatible':
      return withClient(cell, port, loadProtocol('conformance-incompatible'), { timeoutMs: 10_000 }, async (client) => {
        const outcome = await outcomeOf(client.call('echoInt', { value: { text: 'not an int' } }));
        check(!outcome.ok, `an incompatible call must fail, but answered ${outcome.ok ? show(outcome.value) : ''}`);
        const error = outcome.ok ? undefined : (outcome.error as Error);
        check(error instanceof AvroSystemError || (error instanceof AvroTransportError && !/no response within/.test(error.message)),
          `expected a clear error (system error or a decoding error), got ${error?.name}: ${error?.message}`);
      });
    case 'handshake-metadata': {
      const meta = { 'conformance-trace': Buffer.from([0xff, 0x00, 0x80]), empty: Buffer.alloc(0) };
      return withClient(cell, port, protocol, { handshakeMeta: meta, callMeta: meta }, async (client) => {
        const result = await outcomeOf(client.callWithMeta('echoInt', { value: 8 }));
        check(result.ok, `call with metadata failed: ${result.ok ? '' : String(result.error)}`);
        const answered = result.ok ? (result.value as { response: unknown }).response : undefined;
        check(answered === 8, `echoInt answered ${show(answered)}`);
        for (const h of client.handshakes) {
          const m = h.response.meta;
          check(m === null || Object.values(m).every((v) => Buffer.isBuffer(v)), `handshake response meta should map to bytes: ${show(m)}`);
        }
      });
    }
    case 'wire-garbage':
      await sendRaw(cell, port, Buffer.concat([u32(5), Buffer.from('hello'), u32(0)]));
      return expectStillServing(cell, port, protocol);
    case 'wire-truncated':
      await sendRaw(cell, port, Buffer.concat([u32(200), randomBytes(60)]));
      return expectStillServing(cell, port, protocol);
    case 'wire-oversize':
      await sendRaw(cell, port, Buffer.concat([u32(0x7fffffff), randomBytes(16)]));
      return expectStillServing(cell, port, protocol);
    default:
      throw new Error(`no procedure for case kind ${testCase.kind}`);
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

/** Splits the bytes our client sent back into request payloads, with the cell's own framing. */
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

/**
 * Sends bytes that are not a valid request and waits (bounded) for the server to answer or close.
 * Over HTTP they are the body of a POST; on sockets they follow whatever preamble the framing needs.
 */
async function sendRaw(cell: Cell, port: number, bytes: Buffer): Promise<void> {
  if (cell.transport === 'http') {
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: LOOPBACK, port, method: 'POST', path: '/', timeout: 3_000,
        headers: { 'Content-Type': 'avro/binary', 'Content-Length': bytes.length } }, (res) => {
        res.on('data', (chunk: Buffer) => caseRecorder.received(chunk));
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      caseRecorder.sent(bytes);
      req.end(bytes);
    });
    return;
  }
  const preamble = cell.transport === 'sasl'
    ? Buffer.concat([Buffer.from([0]), u32(9), Buffer.from('ANONYMOUS'), u32(0)])
    : cell.transport === 'netty' ? Buffer.concat([u32(1), u32(1)]) : Buffer.alloc(0);
  await new Promise<void>((resolve) => {
    const request = Buffer.concat([preamble, bytes]);
    const socket = tcpConnect({ host: LOOPBACK, port }, () => { caseRecorder.sent(request); socket.write(request); });
    const done = (): void => { clearTimeout(timer); socket.destroy(); resolve(); };
    const timer = setTimeout(done, 3_000);
    socket.on('data', (chunk: Buffer) => caseRecorder.received(chunk));
    socket.on('close', done);
    socket.on('error', done);
  });
}

async function expectStillServing(cell: Cell, port: number, protocol: Protocol): Promise<void> {
  await withClient(cell, port, protocol, { timeoutMs: 10_000 }, async (client) => {
    const after = await outcomeOf(client.call('echoInt', { value: 42 }));
    check(after.ok && after.value === 42, `after bad input the server should keep serving new clients: ${after.ok ? show(after.value) : String(after.error)}`);
  });
}
