// The procedures that attack our client: it runs in the child process (ours/child.ts) and calls
// the fake server, which answers as the case says. Afterwards: did the call end in time with a
// clear error, did the client let go of its connection, and does the same process still make a
// valid call to a healthy server of ours.
import { listen, type AvroServer, type Protocol } from '../../../impls/avro/index.ts';
import { echoHandlers } from '../../../impls/avro/testing/fixtures.ts';
import { conformanceProtocol, victimProtocol, avroBytesContext, type Served } from '../avro/rpc.ts';
import { isAvroTransport, type AvroTransport } from '../avro/wire.ts';
import { byTransport, type AnswerAttack, type AnswerStep, type ClientAttack, type ClientCall, type ClientPoisonAttack } from '../catalogue.ts';
import { avroFakeWire, fakeServer, thriftFakeWire, type FakeServer, type FakeWire } from '../fake/server.ts';
import { thriftBytesContext } from '../thrift/rpc.ts';
import { isThriftProtocol, isThriftTransport } from '../thrift/wire.ts';
import type { BytesContext } from '../bytes.ts';
import type { Rpc } from '../catalogue.ts';
import { cpuWait, sample, type Sample } from '../measure/proc.ts';
import type { CallOutcome } from '../ours/child.ts';
import type { OursProcess } from '../ours/child-process.ts';

export interface ClientObservation {
  /** The call the case judges. */
  readonly outcome: CallOutcome;
  /** From the end of the call until the fake server saw our client's connection close. */
  readonly releasedMs?: number;
  /** Connections our client still held when we stopped watching. */
  readonly stillOpen?: number;
  readonly usage: Sample;
  /** How long our client and the fake server waited for a CPU during the call (cpuWait). */
  readonly callCpuWaitMs: number;
  /** The same, while we watched for the connection to be let go. */
  readonly releaseCpuWaitMs?: number;
  readonly served?: Served;
}

/** Healthy servers of ours in the test process, one per transport, for the valid call afterwards. */
const healthy = new Map<string, Promise<AvroServer>>();

function healthyServer(transport: AvroTransport, protocol: Protocol = conformanceProtocol()): Promise<AvroServer> {
  const key = `${transport} ${protocol.fullName} ${protocol.hash.toString('hex')}`;
  let server = healthy.get(key);
  if (!server) {
    const scheme = transport === 'sasl' ? 'avro' : transport;
    server = listen(`${scheme}://127.0.0.1:0/`, protocol, echoHandlers(protocol));
    healthy.set(key, server);
  }
  return server;
}

export async function closeHealthyServers(): Promise<void> {
  const servers = [...healthy.values()];
  healthy.clear();
  await Promise.all(servers.map(async (s) => (await s).close().catch(() => undefined)));
}

/** One client cell's side of things: its RPC family, transport and protocol. */
export interface ClientCell {
  readonly rpc: Rpc;
  readonly transport: string;
  readonly protocol: string;
}

function callOf(cell: ClientCell, port: number, call: ClientCall): Parameters<OursProcess['call']>[0] {
  return {
    rpc: cell.rpc, transport: cell.transport, protocol: cell.protocol, port, message: call.message, params: call.params, timeoutMs: call.timeoutMs,
    ...(call.limits ? { limits: call.limits } : {}),
  };
}

function fakeWireOf(cell: ClientCell): { wire: FakeWire; context: BytesContext } {
  if (cell.rpc === 'thrift') {
    if (!isThriftTransport(cell.transport) || !isThriftProtocol(cell.protocol)) throw new Error(`no Thrift cell ${cell.transport} ${cell.protocol}`);
    return { wire: thriftFakeWire(cell.transport, cell.protocol), context: thriftBytesContext(cell.protocol) };
  }
  if (!isAvroTransport(cell.transport)) throw new Error(`no Avro transport ${cell.transport}`);
  return { wire: avroFakeWire(cell.transport), context: avroBytesContext() };
}

/** Watches the fake server's connections after the call ended: resolves when none is open, or after `ms`. */
async function released(fake: FakeServer, ms: number): Promise<{ releasedMs?: number; stillOpen?: number }> {
  const started = performance.now();
  await fake.allClosed(ms);
  return fake.openSockets() === 0 ? { releasedMs: performance.now() - started } : { stillOpen: fake.openSockets() };
}

/** Our child's client calls a healthy server of ours on the same transport and protocol. */
async function servedAfter(child: OursProcess, cell: ClientCell): Promise<Served> {
  if (cell.rpc === 'thrift') {
    const port = await healthyThriftServer(child, cell);
    const outcome = await child.call({ rpc: 'thrift', transport: cell.transport, protocol: cell.protocol, port, message: 'echoString', params: { value: 'still serving' }, timeoutMs: 3_000 });
    return { ok: outcome.ok && outcome.value === 'still serving', ms: outcome.ms, detail: outcome.ok ? `echoString answered ${JSON.stringify(outcome.value)}` : `echoString failed: ${outcome.error?.name}: ${outcome.error?.message}` };
  }
  const server = await healthyServer(cell.transport as AvroTransport);
  const outcome = await child.call({ rpc: 'avro', transport: cell.transport, port: server.port, message: 'echoInt', params: { value: 41 }, timeoutMs: 3_000 });
  return { ok: outcome.ok && outcome.value === 41, ms: outcome.ms, detail: outcome.ok ? `echoInt(41) answered ${JSON.stringify(outcome.value)}` : `echoInt(41) failed: ${outcome.error?.name}: ${outcome.error?.message}` };
}

/** Healthy Thrift servers: started in the same child as the client (our Thrift server is checked by the server cells). */
const healthyThrift = new Map<string, Promise<number>>();
function healthyThriftServer(child: OursProcess, cell: ClientCell): Promise<number> {
  const key = `${child.pid} ${cell.transport} ${cell.protocol}`;
  let port = healthyThrift.get(key);
  if (!port) {
    port = child.listen({ rpc: 'thrift', transport: cell.transport, protocol: cell.protocol });
    healthyThrift.set(key, port);
  }
  return port;
}

function stepsFor(attack: AnswerAttack, transport: string): readonly AnswerStep[] {
  if (Array.isArray(attack.steps)) return attack.steps;
  const steps = byTransport(attack.steps as Readonly<Record<string, readonly AnswerStep[]>>, transport);
  if (!steps) throw new Error(`the case gives no answer steps for ${transport}`);
  return steps;
}

async function answer(child: OursProcess, cell: ClientCell, attack: AnswerAttack, watchMs: number, servedAfterToo: boolean): Promise<ClientObservation> {
  const { wire, context } = fakeWireOf(cell);
  const fake = await fakeServer(wire, stepsFor(attack, cell.transport), context);
  try {
    const usage = sample(child.pid);
    const callWait = cpuWait(child.pid);
    const outcome = await child.call(callOf(cell, fake.port, attack.call));
    const callCpuWaitMs = callWait.stop();
    const releaseWait = cpuWait(child.pid);
    const release = await released(fake, watchMs);
    return {
      outcome, ...release, usage: usage.stop(), callCpuWaitMs, releaseCpuWaitMs: releaseWait.stop(),
      ...(servedAfterToo ? { served: await servedAfter(child, cell) } : {}),
    };
  } finally {
    await fake.close();
  }
}

/**
 * The fake server answers our client with a real server's hash paired with another protocol text;
 * then our client calls the real server presenting that hash (it knows its server): the answer
 * must be read with the real server's protocol, never the planted one.
 */
async function clientPoison(child: OursProcess, cell: ClientCell, attack: ClientPoisonAttack, servedAfterToo: boolean): Promise<ClientObservation> {
  if (cell.rpc !== 'avro' || !isAvroTransport(cell.transport)) throw new Error('client-poison is an Avro case (a handshake cache)');
  const transport = cell.transport;
  const real = victimProtocol();
  const fake = await fakeServer(avroFakeWire(transport), [{ write: attack.answer, framing: 'message' }], avroBytesContext(real));
  const server = await healthyServer(transport, real);
  try {
    const usage = sample(child.pid);
    await child.call(callOf(cell, fake.port, { ...attack.call, timeoutMs: Math.min(attack.call.timeoutMs, 1_000) }));
    const callWait = cpuWait(child.pid);
    const outcome = await child.call({ ...callOf(cell, server.port, attack.call), serverHashHex: real.hash.toString('hex'), sendProtocolFirst: true });
    const callCpuWaitMs = callWait.stop();
    return { outcome, usage: usage.stop(), callCpuWaitMs, ...(servedAfterToo ? { served: await servedAfter(child, cell) } : {}) };
  } finally {
    await fake.close();
  }
}

export function attackClient(child: OursProcess, cell: ClientCell, attack: ClientAttack, options: { watchMs: number; servedAfter: boolean }): Promise<ClientObservation> {
  switch (attack.kind) {
    case 'answer': return answer(child, cell, attack, options.watchMs, options.servedAfter);
    case 'client-poison': return clientPoison(child, cell, attack, options.servedAfter);
  }
}
