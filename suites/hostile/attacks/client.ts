// The procedures that attack our client: it runs in the child process (ours/child.ts) and calls
// the fake server, which answers as the case says. Afterwards: did the call end in time with a
// clear error, did the client let go of its connection, and does the same process still make a
// valid call to a healthy server of ours.
import { listen, type AvroServer, type Protocol } from '../../../impls/avro/index.ts';
import { echoHandlers } from '../../../impls/avro/testing/fixtures.ts';
import { conformanceProtocol, victimProtocol, avroBytesContext, type Served } from '../avro/rpc.ts';
import { isAvroTransport, type AvroTransport } from '../avro/wire.ts';
import { byTransport, type AnswerAttack, type AnswerStep, type ClientAttack, type ClientCall, type ClientPoisonAttack } from '../catalogue.ts';
import { fakeAvroServer, type FakeServer } from '../fake/server.ts';
import { sample, type Sample } from '../measure/proc.ts';
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

function callOf(transport: string, port: number, call: ClientCall): Parameters<OursProcess['call']>[0] {
  return { rpc: 'avro', transport, port, message: call.message, params: call.params, timeoutMs: call.timeoutMs, ...(call.limits ? { limits: call.limits } : {}) };
}

/** Watches the fake server's connections after the call ended: resolves when none is open, or after `ms`. */
async function released(fake: FakeServer, ms: number): Promise<{ releasedMs?: number; stillOpen?: number }> {
  const started = performance.now();
  while (fake.openSockets() > 0 && performance.now() - started < ms) await new Promise((resolve) => setTimeout(resolve, 5));
  return fake.openSockets() === 0 ? { releasedMs: performance.now() - started } : { stillOpen: fake.openSockets() };
}

async function servedAfter(child: OursProcess, transport: AvroTransport): Promise<Served> {
  const server = await healthyServer(transport);
  const outcome = await child.call({ rpc: 'avro', transport, port: server.port, message: 'echoInt', params: { value: 41 }, timeoutMs: 3_000 });
  return { ok: outcome.ok && outcome.value === 41, ms: outcome.ms, detail: outcome.ok ? `echoInt(41) answered ${JSON.stringify(outcome.value)}` : `echoInt(41) failed: ${outcome.error?.name}: ${outcome.error?.message}` };
}

function stepsFor(attack: AnswerAttack, transport: string): readonly AnswerStep[] {
  if (Array.isArray(attack.steps)) return attack.steps;
  const steps = byTransport(attack.steps as Readonly<Record<string, readonly AnswerStep[]>>, transport);
  if (!steps) throw new Error(`the case gives no answer steps for ${transport}`);
  return steps;
}

async function answer(child: OursProcess, transport: AvroTransport, attack: AnswerAttack, watchMs: number, servedAfterToo: boolean): Promise<ClientObservation> {
  const fake = await fakeAvroServer(transport, stepsFor(attack, transport), avroBytesContext());
  try {
    const usage = sample(child.pid);
    const outcome = await child.call(callOf(transport, fake.port, attack.call));
    const release = await released(fake, watchMs);
    return { outcome, ...release, usage: usage.stop(), ...(servedAfterToo ? { served: await servedAfter(child, transport) } : {}) };
  } finally {
    await fake.close();
  }
}

/**
 * The fake server answers our client with a real server's hash paired with another protocol text;
 * then our client calls the real server presenting that hash (it knows its server): the answer
 * must be read with the real server's protocol, never the planted one.
 */
async function clientPoison(child: OursProcess, transport: AvroTransport, attack: ClientPoisonAttack, servedAfterToo: boolean): Promise<ClientObservation> {
  const real = victimProtocol();
  const fake = await fakeAvroServer(transport, [{ write: attack.answer, framing: 'message' }], avroBytesContext(real));
  const server = await healthyServer(transport, real);
  try {
    const usage = sample(child.pid);
    await child.call(callOf(transport, fake.port, { ...attack.call, timeoutMs: Math.min(attack.call.timeoutMs, 1_000) }));
    const outcome = await child.call({ ...callOf(transport, server.port, attack.call), serverHashHex: real.hash.toString('hex'), sendProtocolFirst: true });
    return { outcome, usage: usage.stop(), ...(servedAfterToo ? { served: await servedAfter(child, transport) } : {}) };
  } finally {
    await fake.close();
  }
}

export function attackClient(child: OursProcess, transport: string, attack: ClientAttack, options: { watchMs: number; servedAfter: boolean }): Promise<ClientObservation> {
  if (!isAvroTransport(transport)) throw new Error(`no Avro transport ${transport}`);
  switch (attack.kind) {
    case 'answer': return answer(child, transport, attack, options.watchMs, options.servedAfter);
    case 'client-poison': return clientPoison(child, transport, attack, options.servedAfter);
  }
}
