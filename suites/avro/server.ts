// An implementation's server for a ts-server cell: serves the cell's protocol with the shared
// semantics (semantics.ts), records every request (and, where the implementation exposes them,
// every handshake), and afterwards says, per case, what it saw wrong.
import type { AvroImplementation, HandshakeRecord } from '../../harness/contract/avro.ts';
import { AVRO_FEATURES } from '../../harness/contract/avro.ts';
import { hasFeature } from '../../harness/contract/capabilities.ts';
import type { ServerStartRun, TsServer } from '../../harness/vitest/family-driver.ts';
import type { Protocol } from '../../impls/avro/index.ts';
import { callsOf, protocolText, type AvroCase } from './catalogue.ts';
import { wallClockMs } from '../../impls/wire/recorder.ts';
import { loadProtocol, requestFromNotation } from './expectations.ts';
import { avroEquals, show } from './notation.ts';
import { urlFor } from './procedures.ts';
import { handlersFor } from './semantics.ts';

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
  const base = handlersFor([...protocol.messages.keys()], protocol.namespace);
  const handlers = Object.fromEntries(Object.entries(base).map(([name, handler]) => [name, (parameters: Record<string, unknown>, context: Parameters<typeof handler>[1]) => {
    seen.push({ message: name, parameters });
    return handler(parameters, context);
  }]));
  const observes = hasFeature(run.implementation.capabilities, AVRO_FEATURES.handshakeObservation);
  const server = await adapter.listen(
    { url: urlFor(run.cell.transport, run.endpoint), transport: run.cell.transport, protocol: { name: run.cell.protocol, text: protocolText(run.cell.protocol) } },
    handlers,
    { recorders: run.recorders, ...(observes ? { onHandshake: (record: HandshakeRecord) => handshakes.push({ at: wallClockMs(), record }) } : {}) },
  );
  return {
    problemsFor: (caseId, window) => {
      const testCase = run.cases.find((c) => c.id === caseId);
      if (!testCase) return [`unknown case ${caseId}`];
      // Handshake observations need the implementation's handshake events (a declared feature),
      // and only the case's own: peer clients open more than one connection in a cell.
      const inWindow = handshakes.filter((h) => !window || (h.at >= window.from && h.at < window.to)).map((h) => h.record);
      const observed = testCase.observe && observes ? observe(testCase, run.cell.transport, inWindow) : [];
      return [...requestProblems(protocol, testCase, seen), ...observed];
    },
    ...(server.crashed ? { crashed: () => server.crashed?.() } : {}),
    close: () => server.close(),
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
      problems.push(`no ${step.message} request arrived with parameters ${show(expected)}; ${arrived.length} ${step.message} request(s) arrived${arrived.length ? `, e.g. ${show(arrived[0]?.parameters)}` : ''}`);
    }
  }
  return problems;
}

function same(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  return !!a && !!b && Buffer.from(a).equals(Buffer.from(b));
}

function observe(testCase: AvroCase, transport: string, handshakes: readonly HandshakeRecord[]): string[] {
  const summary = handshakes.map((h) => `${h.request.clientProtocol === null ? 'no-text' : 'text'}->${h.response.match}`).join(', ') || 'none';
  const [first, second] = handshakes;
  const accepted = handshakes.filter((h) => h.response.match !== 'NONE').length;
  switch (testCase.observe) {
    case 'first-contact': {
      if (!first) return ['the reference client made no handshake at all'];
      const problems: string[] = [];
      if (first.request.clientProtocol === null && first.response.match !== 'NONE') problems.push(`a first handshake without protocol text should be answered NONE (ours answered ${first.response.match})`);
      if (first.response.match === 'NONE' && second?.request.clientProtocol == null) problems.push(`after NONE the client should resend with its protocol text; handshakes: ${summary}`);
      if (first.response.match === 'NONE' && second && !same(second.request.serverHash, first.response.serverHash)) {
        problems.push('after NONE the client should present the server hash it was given');
      }
      return problems;
    }
    case 'stateful-handshake-once':
      return accepted === 1 ? [] : [`a stateful client should complete exactly one handshake per connection; saw ${accepted} accepted (${summary})`];
    case 'handshake-each-connection': {
      // Stateful: one accepted handshake per connection the case opened; HTTP: one per request.
      const expected = transport === 'http' ? callsOf(testCase).length : (testCase.connections ?? []).length;
      return accepted === expected ? [] : [`expected ${expected} accepted handshake(s) (${transport === 'http' ? 'one per HTTP request' : 'one per connection'}), saw ${accepted} (${summary})`];
    }
    default:
      return [`no observation named ${String(testCase.observe)}`];
  }
}
