// An implementation's server for a ts-server cell: serves the conformance services with the
// shared semantics (semantics.ts), records every request's arguments, and afterwards says, per
// case, whether what arrived is exactly what the case sent (an echo alone cannot see a value
// decoded wrong and encoded back just as wrong).
import { isWrittenAs, type ThriftArgs, type ThriftHandlers, type ThriftImplementation } from '../../harness/contract/thrift.ts';
import type { ServerStartRun, TsServer } from '../../harness/vitest/family-driver.ts';
import type { CallSpec, ThriftCase } from './catalogue.ts';
import { conformanceIdl, type IdlField } from './idl.ts';
import { argsFromNotation, show, thriftEquals, withDefaults } from './notation.ts';
import { contractEndpoint } from './procedures.ts';
import { thriftHandlers } from './semantics.ts';

interface Seen {
  readonly service: string;
  readonly method: string;
  readonly args: ThriftArgs;
}

/** Which services a cell's server registers, and its default service (data/README.md, protocol axis). */
export function servicesOf(protocol: string): { services: string[]; defaultService?: string } {
  if (protocol.startsWith('default-service-')) return { services: ['Conformance', 'Secondary'], defaultService: 'Conformance' };
  if (protocol.startsWith('multiplexed-')) return { services: ['Conformance', 'Secondary'] };
  return { services: ['Conformance'] };
}

export async function startServer(run: ServerStartRun<ThriftCase>): Promise<TsServer> {
  const adapter = run.implementation.adapter as ThriftImplementation;
  if (!adapter.serve) throw new Error(`${run.cell.implementation} has no server`);
  const seen: Seen[] = [];
  const base = thriftHandlers();
  const handlers: ThriftHandlers = Object.fromEntries(Object.entries(base).map(([service, methods]) => [service,
    Object.fromEntries(Object.entries(methods).map(([method, handler]) => [method, (args: ThriftArgs) => {
      seen.push({ service, method, args });
      return handler(args);
    }])),
  ]));
  const { services, defaultService } = servicesOf(run.cell.protocol);
  const endpoint = contractEndpoint(run.cell, run.endpoint);
  const server = await adapter.serve({
    ...endpoint, serverKind: run.cell.serverKind, services, ...(defaultService ? { defaultService } : {}),
    ...(run.endpoint.tls ? { tls: { cert: run.endpoint.tls.cert, key: run.endpoint.tls.key } } : {}),
  }, handlers, { recorders: run.recorders, ...(run.log ? { log: run.log } : {}) });
  return {
    problemsFor: (caseId) => {
      const testCase = run.cases.find((c) => c.id === caseId);
      return testCase ? requestProblems(testCase, seen) : [`unknown case ${caseId}`];
    },
    ...(server.crashed ? { crashed: () => server.crashed?.() } : {}),
    close: () => server.close(),
  };
}

function callsOf(c: ThriftCase): CallSpec[] {
  if (c.kind === 'sequence') return [...(c.calls ?? [])];
  if ((c.kind === 'call' || c.kind === 'oneway') && c.method) return [{ ...(c.service ? { service: c.service } : {}), method: c.method, ...(c.args ? { args: c.args } : {}), expect: c.expect ?? { response: null } }];
  return [];
}

/** Every call a case makes must have reached the handlers with exactly the arguments it sent (IDL defaults for what it leaves out). */
function requestProblems(c: ThriftCase, seen: readonly Seen[]): string[] {
  const idl = conformanceIdl();
  const problems: string[] = [];
  for (const call of callsOf(c)) {
    const service = call.service ?? 'Conformance';
    const fn = idl.fn(service, call.method);
    const sent = argsFromNotation(idl, fn.args, call.args);
    const arrived = seen.filter((s) => s.method === call.method);
    const matches = (args: ThriftArgs): boolean => fn.args.every((arg: IdlField) => {
      const expected = asRead(sent[arg.name], arg);
      return thriftEquals(idl, arg.type, args[arg.name], expected);
    });
    if (!arrived.some((s) => matches(s.args))) {
      const expected = Object.fromEntries(fn.args.map((arg) => [arg.name, asRead(sent[arg.name], arg)]));
      problems.push(`no ${call.method} call arrived with arguments ${show(expected)}; ${arrived.length} ${call.method} call(s) arrived${arrived.length ? `, e.g. ${show(arrived[0]?.args)}` : ''}`);
    }
  }
  return problems;

  // What a reader must see of a value a case sends: IDL defaults filled in; a value written as
  // another struct ($as) is read as the declared struct, so only the declared fields remain.
  function asRead(value: unknown, arg: IdlField): unknown {
    if (isWrittenAs(value) && arg.type.kind === 'struct') {
      const declared = idl.struct(arg.type.name);
      const written = value.value;
      return withDefaults(idl, arg.type, Object.fromEntries(declared.fields.filter((f) => written[f.name] !== undefined).map((f) => [f.name, written[f.name]])));
    }
    return withDefaults(idl, arg.type, value);
  }
}
