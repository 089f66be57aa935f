// An implementation's server for a ts-server cell: serves the cell's protocol with the shared
// semantics (semantics.ts), records every request (and, where the implementation exposes them,
// every handshake), and afterwards says, per case, what it saw wrong.
import type { AvroImplementation, HandshakeRecord } from '../../harness/contract/avro.ts';
import { AVRO_FEATURES } from '../../harness/contract/avro.ts';
import { hasFeature } from '../../harness/contract/capabilities.ts';
import type { ServerStartRun, TsServer } from '../../harness/vitest/family-driver.ts';
import type { Protocol } from '../../impls/avro/index.ts';
import { callsOf, protocolText, type AvroCase } from './catalogue.ts';
import { monotonicMs } from '../../impls/wire/monotonic-clock.ts';
import { loadProtocol, requestFromNotation } from './expectations.ts';
import { avroEquals, show } from './notation.ts';
import { urlFor } from './procedures.ts';
import { handlersFor, type FlumeCalls } from './semantics.ts';

interface Seen {
  readonly message: string;
  readonly parameters: Record<string, unknown>;
}

export async function startServer(run: ServerStartRun<AvroCase>): Promise<TsServer> {
  const adapter = run.implementation.adapter as AvroImplementation;
  if (!adapter.listen) throw new Error(`${run.cell.implementation} has no server`);
  const protocol = loadProtocol(run.cell.protocol);
  // Stamped with the wall clock, which the peer client's "# case <id> begins" lines also use.
  const handshakes: { at: number; record: HandshakeRecord }[] = [];
  const seen: Seen[] = [];
  const base = handlersFor([...protocol.messages.keys()], protocol.namespace, expectedCalls(protocol, run.cases));
  const handlers = Object.fromEntries(Object.entries(base).map(([name, handler]) => [name, (parameters: Record<string, unknown>, context: Parameters<typeof handler>[1]) => {
    seen.push({ message: name, parameters });
    return handler(parameters, context);
  }]));
  const observes = hasFeature(run.implementation.capabilities, AVRO_FEATURES.handshakeObservation);
  const server = await adapter.listen(
    { url: urlFor(run.cell.transport, run.endpoint), transport: run.cell.transport, protocol: { name: run.cell.protocol, text: protocolText(run.cell.protocol) } },
    handlers,
    { recorders: run.recorders, ...(run.log ? { log: run.log } : {}), ...(observes ? { onHandshake: (record: HandshakeRecord) => handshakes.push({ at: monotonicMs(), record }) } : {}) },
  );
  return {
    problemsFor: (caseId, window) => {
      const testCase = run.cases.find((c) => c.id === caseId);
      if (!testCase) return [`unknown case ${caseId}`];
      // Handshake observations need the implementation's handshake events (a declared feature).
      const observed = testCase.observe && observes ? observe(testCase, run.cell.transport, handshakes, window) : [];
      return [...requestProblems(protocol, testCase, seen), ...observed];
    },
    ...(server.crashed ? { crashed: () => server.crashed?.() } : {}),
    close: () => server.close(),
  };
}

/**
 * The calls the cell's cases make, for a server whose answer depends on them (Flume's: OK for
 * exactly one of them, data/programs/README.md). Read against the server's protocol; a case in a
 * client copy's names is left out (no copy exists for such a protocol).
 */
function expectedCalls(protocol: Protocol, cases: readonly AvroCase[]): FlumeCalls {
  // Read on first use: only Flume's handlers ask, and other cells' cases may hold large values.
  let expected: { message: string; parameters: Record<string, unknown> }[] | undefined;
  return {
    isExpected: (message, request) => {
      expected ??= cases.filter((c) => !c.clientProtocol).flatMap((c) => callsOf(c))
        .filter((step) => protocol.messages.has(step.message))
        .map((step) => ({ message: step.message, parameters: requestFromNotation(protocol, step.message, step.request) }));
      const definition = protocol.messages.get(message);
      return definition !== undefined && expected.some((e) => e.message === message && avroEquals(definition.request, request, e.parameters));
    },
  };
}

/**
 * Every request value a case sends must have reached the handlers exactly as the case wrote it.
 * A case whose client speaks a protocol copy is written in the copy's names (another namespace,
 * renamed types): the server reads it into its own types, so only the arrival of each message is
 * checked here; the values come back to the peer client, which compares them in the copy's terms.
 */
function requestProblems(protocol: Protocol, testCase: AvroCase, seen: readonly Seen[]): string[] {
  const steps = callsOf(testCase);
  const problems: string[] = [];
  if (testCase.clientProtocol) {
    for (const step of steps) if (!seen.some((s) => s.message === step.message)) problems.push(`no ${step.message} request arrived`);
    return problems;
  }
  for (const step of steps) {
    const definition = protocol.messages.get(step.message);
    if (!definition) continue;
    const expected = requestFromNotation(protocol, step.message, step.request);
    const arrived = seen.filter((s) => s.message === step.message);
    if (!arrived.some((s) => avroEquals(definition.request, s.parameters, expected))) {
      problems.push(`no ${step.message} request arrived with parameters ${clip(show(expected))}; ${arrived.length} ${step.message} request(s) arrived${arrived.length ? `, e.g. ${clip(show(arrived[0]?.parameters))}` : ''}`);
    }
  }
  return problems;
}

/** A value in a problem line, cut short: a Flume batch of 1000 events would fill the report. */
function clip(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

function same(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  return !!a && !!b && Buffer.from(a).equals(Buffer.from(b));
}

export type Stamped = { readonly at: number; readonly record: HandshakeRecord };

function summarize(records: readonly HandshakeRecord[]): string {
  return records.map((h) => `${h.connection ?? 'request'}: ${h.request.clientProtocol === null ? 'no-text' : 'text'}->${h.response.match}`).join(', ') || 'none';
}

function byConnection(records: readonly HandshakeRecord[]): Map<string, HandshakeRecord[]> {
  const groups = new Map<string, HandshakeRecord[]>();
  records.forEach((h, i) => {
    const key = h.connection ?? `request ${i}`;
    groups.set(key, [...(groups.get(key) ?? []), h]);
  });
  return groups;
}

/**
 * When a count is off: how near the cell's handshakes outside the window were (the window is the
 * peer client's instants, the stamps our server's, both on the monotonic clock): a case's own
 * handshake just outside it points at the cut, not at the client.
 */
export function nearestOutside(handshakes: readonly Stamped[], window: { from: number; to: number } | undefined): string {
  if (!window || handshakes.length === 0) return '';
  const before = handshakes.filter((h) => h.at < window.from).map((h) => window.from - h.at);
  const after = handshakes.filter((h) => h.at >= window.to).map((h) => h.at - window.to);
  const ms = (values: number[]): string => `${Math.min(...values).toFixed(3)} ms`;
  const sides = [before.length > 0 ? `${before.length} before it, the nearest ${ms(before)} before its start` : '', after.length > 0 ? `${after.length} after it, the nearest ${ms(after)} after its end` : ''].filter(Boolean);
  return `; of the cell's ${handshakes.length} handshake(s), ${sides.join(' and ')} (the window is the peer client's instants, the stamps our server's)`;
}

/**
 * When a count is off: where in the window each of its handshakes was stamped, so that one a
 * fraction of a millisecond from an edge shows as such.
 */
export function placed(handshakes: readonly Stamped[], window: { from: number; to: number } | undefined): string {
  if (!window) return '';
  const inside = handshakes.filter((h) => h.at >= window.from && h.at < window.to);
  if (inside.length === 0) return '';
  const length = Number.isFinite(window.to) ? ` of ${(window.to - window.from).toFixed(3)} ms` : '';
  return `; stamped at ${inside.map((h) => `+${(h.at - window.from).toFixed(3)}`).join(', ')} ms${length} of the window`;
}

const accepted = (records: readonly HandshakeRecord[]): number => records.filter((h) => h.response.match !== 'NONE').length;

/**
 * What the reference client's handshakes must show. `window` is the case's own time span (peer
 * clients open several connections in a cell, one per case kind that needs a fresh one):
 * first-contact and stateful-handshake-once are about the client and the server so far (from the
 * cell's start to the case's end); handshake-each-connection about the connections the case opened.
 */
function observe(testCase: AvroCase, transport: string, handshakes: readonly Stamped[], window: { from: number; to: number } | undefined): string[] {
  const soFar = handshakes.filter((h) => !window || h.at < window.to).map((h) => h.record);
  const inCase = handshakes.filter((h) => !window || (h.at >= window.from && h.at < window.to)).map((h) => h.record);
  switch (testCase.observe) {
    case 'first-contact': {
      const [first, second] = soFar;
      if (!first) return ['the reference client made no handshake at all'];
      const problems: string[] = [];
      if (first.request.clientProtocol === null && first.response.match !== 'NONE') problems.push(`a first handshake without protocol text should be answered NONE (ours answered ${first.response.match})`);
      if (first.response.match === 'NONE' && second?.request.clientProtocol == null) problems.push(`after NONE the client should resend with its protocol text; handshakes: ${summarize(soFar)}`);
      if (first.response.match === 'NONE' && second && !same(second.request.serverHash, first.response.serverHash)) {
        problems.push('after NONE the client should present the server hash it was given');
      }
      return problems;
    }
    case 'stateful-handshake-once': {
      if (soFar.length === 0) return ['the reference client made no handshake at all'];
      const wrong = [...byConnection(soFar)].filter(([, records]) => accepted(records) !== 1);
      return wrong.length === 0 ? [] : [`a stateful client should complete exactly one handshake per connection; ${wrong.map(([key, records]) => `${key} completed ${accepted(records)}`).join(', ')} (${summarize(soFar)})`];
    }
    case 'handshake-each-connection': {
      if (transport === 'http') {
        const expected = callsOf(testCase).length;
        return accepted(inCase) === expected ? [] : [`over HTTP every request carries a handshake: expected ${expected} accepted, saw ${accepted(inCase)} (${summarize(inCase)})`];
      }
      const groups = byConnection(inCase);
      const expected = (testCase.connections ?? []).length;
      const wrong = [...groups].filter(([, records]) => accepted(records) !== 1);
      const problems: string[] = [];
      if (groups.size !== expected) problems.push(`expected ${expected} connection(s) with a handshake, saw ${groups.size} (${summarize(inCase)})${placed(handshakes, window)}${nearestOutside(handshakes, window)}`);
      if (wrong.length > 0) problems.push(`every connection completes exactly one handshake: ${wrong.map(([key, records]) => `${key} completed ${accepted(records)}`).join(', ')}`);
      return problems;
    }
    default:
      return [`no observation named ${String(testCase.observe)}`];
  }
}
