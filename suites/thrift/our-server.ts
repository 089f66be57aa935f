// Our Thrift server for the ts-server direction: serves the conformance services with the shared
// semantics (handler.ts), records every call's arguments as our server decoded them, and
// afterwards says, per case, whether the values the case sends arrived exactly. (An echo that
// the peer checks cannot see a value we decode wrong and encode back just as wrong.)
import type { Cell } from '../../harness/matrix/axes.ts';
import { LOOPBACK } from '../../harness/net/ports.ts';
import type { TsServer } from '../../harness/vitest/define-cells.ts';
import { MultiplexedProcessor } from '../../impls/npm-thrift/multiplexed-processor.ts';
import { protocolPair } from '../../impls/npm-thrift/protocols.ts';
import { generated, type Processor } from '../../impls/npm-thrift/runtime.ts';
import { startThriftServer } from '../../impls/npm-thrift/server.ts';
import type { ConnectionRecorders } from '../../impls/wire/recorder.ts';
import type { CallSpec, ThriftCase } from './cases.ts';
import { conformanceHandler, secondaryHandler } from './handler.ts';
import { fieldType, Idl } from './idl.ts';
import { canonical, canonicalOf, type Json } from './notation.ts';

const idl = Idl.load();

export interface Seen {
  readonly service: string;
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * The handler with every method recording the arguments it was called with. The wrapper keeps the
 * method's arity: generated processors pick promise or callback style by handler.method.length.
 */
function recording(service: string, handler: object, seen: Seen[]): object {
  return Object.fromEntries(Object.entries(handler).map(([method, fn]) => {
    const original = fn as (...a: unknown[]) => unknown;
    const wrapper = (...args: unknown[]): unknown => {
      seen.push({ service, method, args });
      return original(...args);
    };
    Object.defineProperty(wrapper, 'length', { value: original.length });
    return [method, wrapper];
  }));
}

function processorFor(protocol: string, seen: Seen[]): Processor {
  const conformance = new generated.Conformance.Processor(recording('Conformance', conformanceHandler(), seen));
  if (!protocolPair(protocol).multiplexed) return conformance;
  return new MultiplexedProcessor()
    .register('Conformance', conformance)
    .register('Secondary', new generated.Secondary.Processor(recording('Secondary', secondaryHandler(), seen)));
}

/** The calls whose arguments a case sends as written (error-path kinds send bytes, not calls). */
function callsOf(c: ThriftCase): CallSpec[] {
  const first = c.method ? [{ service: c.service, method: c.method, args: c.args, expect: c.expect ?? {} }] : [];
  switch (c.kind) {
    case 'call': return first;
    case 'oneway': return [...first, ...(c.then ? [c.then] : [])];
    case 'sequence': return [...(c.calls ?? [])];
    default: return [];
  }
}

export function argumentProblems(c: ThriftCase, seen: readonly Seen[]): string[] {
  const problems: string[] = [];
  for (const call of callsOf(c)) {
    const service = call.service ?? 'Conformance';
    const fn = idl.fn(service, call.method);
    const canonicalArgs = (values: (a: (typeof fn.arguments)[number], i: number) => Json): Record<string, Json> =>
      Object.fromEntries(fn.arguments.map((a, i) => [a.name, values(a, i)]));
    // Fields a case leaves out arrive as their IDL defaults: generated clients send them, and a
    // generated reader fills them in when they are not sent.
    const expected = JSON.stringify(canonicalArgs((a) => canonicalOf(idl, fieldType(a), (call.args ?? {})[a.name] ?? null, true)));
    const arrived = seen.filter((s) => s.service === service && s.method === call.method)
      .map((s) => JSON.stringify(canonicalArgs((a, i) => canonical(idl, fieldType(a), s.args[i]))));
    if (!arrived.includes(expected)) {
      problems.push(`no ${service}.${call.method} call arrived with arguments ${expected}; ${arrived.length} arrived${arrived.length ? `, e.g. ${arrived[0]}` : ''}`);
    }
  }
  return problems;
}

export async function startOurServer(cell: Cell, port: number, cases: readonly ThriftCase[], recorders: ConnectionRecorders): Promise<TsServer> {
  const seen: Seen[] = [];
  const server = await startThriftServer({
    transport: cell.transport as 'buffered' | 'framed' | 'http', protocol: cell.protocol, host: LOOPBACK, port,
    processor: processorFor(cell.protocol, seen), recorders,
    // Rejections are expected in error-path cases; the peer client's TAP line judges those.
    onReject: () => undefined,
  });
  return {
    port: server.port,
    problemsFor: (caseId) => {
      const testCase = cases.find((c) => c.id === caseId);
      return testCase ? argumentProblems(testCase, seen) : [`unknown case ${caseId}`];
    },
    close: () => server.close(),
  };
}
