// The child process that holds our implementation while the hostile family attacks it: our
// servers (so that their memory and CPU can be read from /proc, and a crash or a hang costs this
// process, not the test runner) and our clients (calls against the fake server). Commands arrive
// over IPC as { id, op, ... } and are answered as { id, result } or { id, failed }.
import type { AvroServer, Handlers, Limits, Protocol } from '../../../impls/avro/index.ts';
import { protocolText } from '../../../impls/avro/testing/fixtures.ts';
import { connect as connectThrift, serve as serveThrift, type ThriftServer } from '../../../impls/thrift/index.ts';
import { ourHandlers } from '../../../impls/thrift/adapter.ts';
import { thriftHandlers } from '../../thrift/semantics.ts';
import { conformanceIdl, reviveThrift } from '../thrift/rpc.ts';
import { revive, summarise } from '../../../impls/avro/testing/ipc-values.ts';

// CONFORMANCE_HOSTILE_OURS_AVRO names another copy of impls/avro/index.ts (an older commit, say,
// to show that a case fails on the code before a fix); by default, this checkout's.
const avro = (await import(process.env['CONFORMANCE_HOSTILE_OURS_AVRO'] ?? '../../../impls/avro/index.ts')) as typeof import('../../../impls/avro/index.ts');
const { connectClient, listen, parseProtocol } = avro;

/** Every message echoes its "value"; the others as suites/avro/data/README.md says (what fixtures.ts does, with this copy's raise). */
function echoHandlers(protocol: Protocol): Handlers {
  let note: string | null = null;
  const all: Record<string, (p: Record<string, unknown>) => unknown> = {};
  for (const name of protocol.messages.keys()) all[name] = ({ value }) => value;
  all['add'] = ({ a, b }) => (a as bigint) + (b as bigint);
  all['fail'] = ({ code, reason }) => { throw avro.raise(`${protocol.namespace}.ConformanceError`, { code, reason }); };
  all['failUndeclared'] = ({ reason }) => { throw new Error(`boom ${String(reason)}`); };
  all['notify'] = ({ note: n }) => { note = n as string; return null; };
  all['lastNote'] = () => (note === null ? null : { string: note });
  return all;
}

/** The defaults with the case's limits over them (older copies take whole Limits only). */
function limitsOf(limits: Readonly<Record<string, number>> | undefined): Limits {
  return { ...avro.DEFAULT_LIMITS, ...limits };
}

export interface ListenCommand {
  readonly op: 'listen';
  readonly rpc: 'avro' | 'thrift';
  readonly transport: string;
  /** Thrift: the protocol axis word (binary, compact, json). */
  readonly protocol?: string;
  readonly limits?: Readonly<Record<string, number>>;
}

export interface CallCommand {
  readonly op: 'call';
  readonly rpc: 'avro' | 'thrift';
  readonly transport: string;
  /** Thrift: the protocol axis word. */
  readonly protocol?: string;
  readonly port: number;
  readonly message: string;
  /** Parameters; {"$bigint": "5"} for longs, {"$bytes": {"size": n, "fill": b}} for bytes. */
  readonly params: Record<string, unknown>;
  readonly timeoutMs: number;
  readonly limits?: Readonly<Record<string, number>>;
  /** A protocol text other than conformance.avpr (the victim of a cache case). */
  readonly protocolText?: string;
  /** The server hash to present first, as hex (a client that knows its server already). */
  readonly serverHashHex?: string;
  /** Send our protocol text in the first handshake. */
  readonly sendProtocolFirst?: boolean;
}

export type Command = ListenCommand | CallCommand | { readonly op: 'close' } | { readonly op: 'ping' } | { readonly op: 'server-log' };

/**
 * What our servers said last (why they closed which connection), for a failing case to show: a
 * bounded ring, so a fuzz run's thousands of closes cost nothing. Each line carries its
 * performance.now() instant in this process.
 */
const SERVER_LOG_LINES = 40;
const serverLog: string[] = [];
function logServer(line: string): void {
  if (serverLog.length === SERVER_LOG_LINES) serverLog.shift();
  serverLog.push(`${performance.now().toFixed(0)} ms: ${line}`);
}

export interface CallOutcome {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly ms: number;
}

/** Our URL scheme for each Avro transport axis value (the SASL transport is avro://). */
export function avroScheme(transport: string): string {
  return transport === 'sasl' ? 'avro' : transport;
}

const servers: (AvroServer | ThriftServer)[] = [];
const protocols = new Map<string, Protocol>();

function protocolFor(text: string | undefined): Protocol {
  const key = text ?? protocolText('conformance');
  let protocol = protocols.get(key);
  if (!protocol) {
    protocol = parseProtocol(key);
    protocols.set(key, protocol);
  }
  return protocol;
}

async function callThrift(command: CallCommand): Promise<CallOutcome> {
  const started = performance.now();
  try {
    const client = await connectThrift({ transport: command.transport, protocol: command.protocol ?? 'binary', host: '127.0.0.1', port: command.port }, conformanceIdl(), {
      timeoutMs: command.timeoutMs, ...(command.limits ? { limits: command.limits } : {}),
    });
    try {
      const value = await client.call('Conformance', command.message, reviveThrift(command.params) as Record<string, unknown>);
      return { ok: true, value: summarise(value), ms: performance.now() - started };
    } finally {
      await client.close();
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, error: { name: e.name, message: e.message }, ms: performance.now() - started };
  }
}

async function call(command: CallCommand): Promise<CallOutcome> {
  if (command.rpc === 'thrift') return callThrift(command);
  const started = performance.now();
  try {
    const url = `${avroScheme(command.transport)}://127.0.0.1:${command.port}/`;
    const client = await connectClient(url, protocolFor(command.protocolText), {
      timeoutMs: command.timeoutMs, limits: limitsOf(command.limits),
      ...(command.serverHashHex ? { serverHashGuess: Buffer.from(command.serverHashHex, 'hex') } : {}),
      ...(command.sendProtocolFirst ? { sendProtocolFirst: true } : {}),
    });
    try {
      const value = await client.call(command.message, revive(command.params) as Record<string, unknown>);
      return { ok: true, value: summarise(value), ms: performance.now() - started };
    } finally {
      await client.close();
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, error: { name: e.name, message: e.message }, ms: performance.now() - started };
  }
}

async function handle(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'listen': {
      if (command.rpc === 'thrift') {
        const server = await serveThrift({ transport: command.transport, protocol: command.protocol ?? 'binary', host: '127.0.0.1', port: 0 }, conformanceIdl(), ourHandlers(thriftHandlers(), ['Conformance', 'Secondary']), {
          defaultService: 'Conformance', onReject: logServer, log: logServer, ...(command.limits ? { limits: command.limits } : {}),
        });
        servers.push(server);
        return { port: server.port };
      }
      const protocol = protocolFor(undefined);
      const server = await listen(`${avroScheme(command.transport)}://127.0.0.1:0/`, protocol, echoHandlers(protocol), { limits: limitsOf(command.limits), log: logServer });
      servers.push(server);
      return { port: server.port };
    }
    case 'call':
      return call(command);
    case 'close':
      await Promise.all(servers.map((s) => s.close()));
      return {};
    case 'ping':
      return 'pong';
    case 'server-log':
      return serverLog.splice(0);
  }
}

process.on('message', (message: { id: number } & Command) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, ok: false, failed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
});
process.send?.({ id: 0, result: 'ready' });
// A child whose test process is gone has nobody to answer: it ends too.
process.on('disconnect', () => process.exit(0));
