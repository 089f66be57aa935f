// The TypeScript server for the ts-server direction (ours, or avsc 5's services): serves the cell's protocol with the shared semantics,
// records every handshake and request, and afterwards says, per case, what it saw wrong.
import type { Cell } from '../../harness/matrix/axes.ts';
import type { TsServer } from '../../harness/vitest/define-cells.ts';
import { LOOPBACK } from '../../harness/net/ports.ts';
import { listen, type ConnectionRecorders, type Protocol } from '../../impls/avro/index.ts';
import { startAvscServer } from './avsc-server.ts';
import type { HandshakeRequest, HandshakeResponse } from '../../impls/avro/handshake.ts';
import { loadProtocol, type AvroCase } from './catalogue.ts';
import { urlFor } from './client-procedures.ts';
import { requestFromNotation } from './expectations.ts';
import { avroEquals, show } from './notation.ts';
import { handlersFor } from './semantics.ts';

export interface Seen {
  readonly message: string;
  readonly parameters: Record<string, unknown>;
}

/** recorders: told every connection's bytes (ours only: avsc's server runs in a worker thread). */
export async function startOurServer(cell: Cell, port: number, cases: readonly AvroCase[], recorders: ConnectionRecorders): Promise<TsServer> {
  const protocol = loadProtocol(cell.protocol);
  const handshakes: { request: HandshakeRequest; response: HandshakeResponse }[] = [];
  const seen: Seen[] = [];
  const systemErrors: string[] = [];
  const base = handlersFor(protocol);
  const handlers = Object.fromEntries(Object.entries(base).map(([name, handler]) => [name, (parameters: Record<string, unknown>, context: Parameters<typeof handler>[1]) => {
    seen.push({ message: name, parameters });
    return handler(parameters, context);
  }]));
  const server = cell.implementation === 'avsc5'
    ? await startAvscServer(urlFor(cell, port), protocol, seen)
    : await listen(urlFor(cell, port), protocol, handlers, {
      recorders,
      events: {
        handshake: (request, response) => handshakes.push({ request, response }),
        systemError: (message) => systemErrors.push(message),
      },
    });
  return {
    port: server.port,
    problemsFor: (caseId) => {
      const testCase = cases.find((c) => c.id === caseId);
      if (!testCase) return [`unknown case ${caseId}`];
      // Handshake observations need our responder's events; avsc's server does not expose them.
      const observed = testCase.observe && cell.implementation === 'ours' ? observe(testCase.observe, handshakes) : [];
      const crashed = 'crash' in server && server.crash() ? [`the avsc server crashed: ${server.crash()}`] : [];
      return [...crashed, ...requestProblems(protocol, testCase, seen), ...observed];
    },
    close: () => server.close(),
  };
}

/** Every request value a case sends must have reached our handlers exactly as the case wrote it. */
function requestProblems(protocol: Protocol, testCase: AvroCase, seen: readonly Seen[]): string[] {
  const steps = testCase.kind === 'sequence' ? testCase.calls ?? []
    : testCase.message ? [{ message: testCase.message, request: testCase.request ?? {} }] : [];
  const problems: string[] = [];
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

function observe(observation: string, handshakes: readonly { request: HandshakeRequest; response: HandshakeResponse }[]): string[] {
  const summary = handshakes.map((h) => `${h.request.clientProtocol === null ? 'no-text' : 'text'}->${h.response.match}`).join(', ');
  const [first, second] = handshakes;
  switch (observation) {
    case 'first-contact': {
      if (!first) return ['the reference client made no handshake at all'];
      const problems: string[] = [];
      if (first.request.clientProtocol === null && first.response.match !== 'NONE') problems.push(`a first handshake without protocol text should be answered NONE (ours answered ${first.response.match})`);
      if (first.response.match === 'NONE' && second?.request.clientProtocol == null) problems.push(`after NONE the client should resend with its protocol text; handshakes: ${summary}`);
      if (first.response.match === 'NONE' && second && !second.request.serverHash.equals(first.response.serverHash ?? Buffer.alloc(0))) {
        problems.push('after NONE the client should present the server hash it was given');
      }
      return problems;
    }
    case 'stateful-handshake-once': {
      const accepted = handshakes.filter((h) => h.response.match !== 'NONE').length;
      return accepted === 1 ? [] : [`a stateful client should complete exactly one handshake per connection; saw ${accepted} accepted (${summary})`];
    }
    default:
      return [`no observation named ${observation}`];
  }
}
