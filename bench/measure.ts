// Runs the groups: every contender of a group once per round, in an order rotated each round, so
// the contenders of a group share the machine's conditions; then per-round ratios. One call in
// flight is measured with the client and the server pinned to different CPUs (taskset), as a
// client and a server on two machines would be; more calls in flight may use every CPU. Every
// other agent is stopped during a window (Agent.hold), so that none spends the pair's CPU.
import { availableParallelism } from 'node:os';
import type { Agent } from './agents.ts';
import type { Answer } from './protocol.ts';
import type { FreshMeasurement } from './fresh.ts';
import { agentKey, REPLAY_CLIENT, REPLAY_SERVER, type Contender, type ContenderKind, type Group } from './plan.ts';
import { type QuietGate, untilQuiet } from './quiet.ts';
import { rotate, roundRatios, summarize, type Summary } from './stats.ts';

export const LOOPBACK = '127.0.0.1';

export interface MeasureOptions {
  readonly rounds: number;
  readonly durationMs: number;
  /** Warm-up before each measured window (calls made, not counted). */
  readonly warmupMs: number;
  /**
   * Before its first round, each contender of a group runs unmeasured windows of warmupWindowMs
   * until two in a row agree within 20% (the JIT has settled) or warmupWindows have run.
   */
  readonly warmupWindows: number;
  readonly warmupWindowMs: number;
  /**
   * The first time a client, server and listener meet in the run, they first run this long
   * unmeasured: a JVM needs thousands of calls before its compilers have done their work, and on a
   * loaded machine that takes seconds. Later groups with the same pair start warm.
   */
  readonly firstWarmupMs: number;
  /** The pairings already warmed in this run (shared by every group). */
  readonly warmed: Set<string>;
  readonly timeoutMs: number;
  readonly pin: boolean;
  /** Epoch ms after which no further group starts (the run's time bound). */
  readonly deadline: number;
  readonly progress: (line: string) => void;
  /** When a window may start (quiet.ts; its QUIET_GATE when not given). */
  readonly quiet?: QuietGate;
}

export interface Measurement {
  readonly contender: string;
  readonly round: number;
  readonly calls: number;
  readonly seconds: number;
  readonly rate: number;
  readonly clientPeakRssKb?: number;
  readonly serverPeakRssKb?: number;
  /** Every call of the request (warm-up and drain included) and the CPU seconds client and server spent over it. */
  readonly totalCalls?: number;
  readonly clientCpuSeconds?: number;
  readonly serverCpuSeconds?: number;
  /** Node agents: the share of that span in which the client's (server's) event loop was busy. */
  readonly clientLoopBusy?: number;
  readonly serverLoopBusy?: number;
  /** Node agents, over the same span as the CPU seconds: the main thread's collection pauses and the mark-compacts (gc-clock.ts). */
  readonly clientGcPauseSeconds?: number;
  readonly clientMarkCompacts?: number;
  readonly serverGcPauseSeconds?: number;
  readonly serverMarkCompacts?: number;
  /** How long the window waited for its pair to be quiet (quiet.ts). */
  readonly quietWaitMs?: number;
}

export interface RowResult {
  readonly name: string;
  readonly kind: ContenderKind;
  readonly impl: string;
  readonly connections: number;
  readonly inflightPerConnection: number;
  /** Calls per second over the rounds. */
  readonly rate?: Summary;
  /** Per round: this contender's rate / the reference's rate (client and server rows, the floor). */
  readonly ratio?: Summary;
  /** Per round: this contender's rate / the raw floor's rate. */
  readonly ofFloor?: Summary;
  /**
   * Client and server rows, per round: this contender's rate / the replay floor's on the same side
   * (the replay client's for a client row, the replay server's for a server row; replay.ts, replay-avro.ts).
   */
  readonly ofReplay?: Summary;
  /**
   * Per round: calls per CPU-second of client and server together, this contender's / the
   * reference's. Little changed by other load on the machine (CPU time, not wall time), blind to
   * waiting (a Nagle stall costs no CPU): read it beside the rate ratio.
   */
  readonly cpuRatio?: Summary;
  /** CPU microseconds per call, client + server, median over the rounds. */
  readonly cpuUsPerCall?: number;
  /** The same for each process alone (client, server). */
  readonly cpuUsPerCallSides?: readonly [number | undefined, number | undefined];
  /**
   * Client and server rows, per round: calls per CPU-second of the measured process alone (our
   * client, our server), over the reference's process in the same role. Above 1: our process
   * spends less CPU per call than the peer's own client (server), whatever the peer spends on the
   * other end.
   */
  readonly ownCpuRatio?: Summary;
  /**
   * Client and server rows of a Node process (ours, the libraries) and the replay floor's, per
   * round: the share of the round in which the measured process's event loop was busy. Near 1, its one JavaScript thread
   * sets the rate: more in flight cannot go faster, only less CPU per call (or more threads) can.
   */
  readonly loopBusy?: Summary;
  /**
   * The same rows, per round: the share of the measured process's CPU time spent in its main
   * thread's collection pauses as V8's GCProfiler records them (gc-clock.ts). A lower bound of what
   * collection costs: incremental marking steps and V8's concurrent marking are not in it (a CPU
   * profile of our Thrift server at 64 KiB put 1.7x these pauses under "(garbage collector)").
   */
  readonly gcPauseShare?: Summary;
  /** The same rows, per round: the measured process's mark-compacts per 1,000 calls. */
  readonly markCompactsPer1000?: Summary;
  /** Highest peak resident memory over the rounds of the process measured (client rows: the client, server rows: the server), MiB. */
  readonly peakRssMiB?: number;
  /** Both processes of the pair, MiB (client, server). */
  readonly peakRssPairMiB?: readonly [number | undefined, number | undefined];
  readonly error?: string;
}

export interface GroupResult {
  readonly id: string;
  readonly family: string;
  readonly transport: string;
  readonly protocol: string;
  readonly payload: string;
  readonly inflight: number;
  readonly peer: string;
  readonly pinned: boolean;
  readonly rows: readonly RowResult[];
  readonly measurements: readonly Measurement[];
  readonly skipped?: string;
  /** Set when the group was measured again with more rounds (settle.ts): all rounds count. */
  readonly settled?: { readonly rounds: number; readonly why: string };
  /**
   * The group measured once more after its Node agents were replaced by new processes (fresh.ts),
   * when a row of ours was below 1.0 with no explanation: beside the rows above, not in their place.
   */
  readonly fresh?: FreshMeasurement;
}

/** More rounds of a group measured before: its rounds continue, and its rows are over all of them. */
export interface MoreRounds {
  readonly previous: GroupResult;
  readonly rounds: number;
  readonly why: string;
}

function cpuList(): { all: string; client: string; server: string } | undefined {
  const n = availableParallelism();
  if (n < 2) return undefined;
  return { all: `0-${n - 1}`, client: '0', server: '1' };
}

export interface Ports {
  port(serverAgent: string, listener: string): number | undefined;
}

export async function measureGroup(group: Group, agents: ReadonlyMap<string, Agent>, ports: Ports, options: MeasureOptions, more?: MoreRounds): Promise<GroupResult> {
  const cpus = options.pin ? cpuList() : undefined;
  const pinned = cpus !== undefined && group.shape.inflight === 1;
  const measurements: Measurement[] = [...(more?.previous.measurements ?? [])];
  const firstRound = measurements.reduce((next, m) => Math.max(next, m.round + 1), 0);
  const errors = new Map<string, string>();

  /** One window of contender c; its measurement, or undefined after recording why it failed. */
  const runOnce = async (c: Contender, warmupMs: number, durationMs: number, round: number): Promise<Measurement | undefined> => {
    const client = agents.get(agentKey(c.client));
    const server = agents.get(agentKey(c.server));
    const port = ports.port(agentKey(c.server), c.listener.key);
    if (!client || !server || port === undefined) {
      errors.set(c.name, `not started: ${!client ? agentKey(c.client) : !server ? agentKey(c.server) : `listener ${c.listener.key} of ${agentKey(c.server)}`}`);
      return undefined;
    }
    try {
      // Only the pair measured runs: every other agent is stopped for the window (Agent.hold), and
      // the window starts once the pair is quiet (quiet.ts).
      for (const agent of agents.values()) agent.hold(agent !== client && agent !== server);
      if (cpus) {
        await client.pin(pinned ? cpus.client : cpus.all);
        await server.pin(pinned ? cpus.server : cpus.all);
      }
      const quietWaitMs = await untilQuiet(client === server ? [client] : [client, server], options.quiet);
      client.resetPeak();
      server.resetPeak();
      const serverBefore = await server.request({ op: 'cpu' }, 30_000);
      const answer = await client.request({
        op: 'run', target: { family: c.listener.family, transport: c.listener.transport, protocol: c.listener.protocol, host: LOOPBACK, port },
        payload: group.shape.payload, connections: c.connections, inflight: c.inflight, warmupMs, durationMs, timeoutMs: options.timeoutMs,
      }, warmupMs + durationMs + options.timeoutMs + 60_000);
      const serverAfter = await server.request({ op: 'cpu' }, 30_000);
      if (!answer.ok || answer.calls === undefined || answer.seconds === undefined) throw new Error(answer.error ?? 'no result');
      const clientPeak = client.peakRssKb();
      const serverPeak = server.peakRssKb();
      const serverCpuBefore = serverBefore.cpuSeconds;
      const serverCpuAfter = serverAfter.cpuSeconds;
      const cpu = answer.totalCalls !== undefined && answer.cpuSeconds !== undefined && serverCpuBefore !== undefined && serverCpuAfter !== undefined
        ? { totalCalls: answer.totalCalls, clientCpuSeconds: answer.cpuSeconds, serverCpuSeconds: serverCpuAfter - serverCpuBefore } : {};
      const serverLoopBusy = loopBusyBetween(serverBefore, serverAfter);
      const serverGc = gcBetween(serverBefore, serverAfter);
      const loop = {
        ...(answer.loopBusy !== undefined ? { clientLoopBusy: answer.loopBusy } : {}),
        ...(serverLoopBusy !== undefined ? { serverLoopBusy } : {}),
        ...(answer.gcPauseSeconds !== undefined && answer.markCompacts !== undefined
          ? { clientGcPauseSeconds: answer.gcPauseSeconds, clientMarkCompacts: answer.markCompacts } : {}),
        ...(serverGc ? { serverGcPauseSeconds: serverGc.pauseSeconds, serverMarkCompacts: serverGc.markCompacts } : {}),
      };
      return {
        contender: c.name, round, calls: answer.calls, seconds: answer.seconds, rate: answer.calls / answer.seconds, quietWaitMs, ...cpu, ...loop,
        ...(clientPeak !== undefined ? { clientPeakRssKb: clientPeak } : {}), ...(serverPeak !== undefined ? { serverPeakRssKb: serverPeak } : {}),
      };
    } catch (error) {
      errors.set(c.name, error instanceof Error ? error.message : String(error));
      options.progress(`  ${group.id} ${c.name}: ${errors.get(c.name)}`);
      return undefined;
    }
  };

  // The warm-up windows run again before more rounds: other groups' payloads ran in between.
  for (const c of group.contenders) {
    // Per client, server and listener, whatever the payload: the warm-up windows below settle the rest.
    const pairing = warmupPairing(c);
    if (!options.warmed.has(pairing)) {
      if (!(await runOnce(c, options.firstWarmupMs, options.warmupWindowMs, -1))) continue;
      options.warmed.add(pairing);
    }
    let previous: number | undefined;
    for (let w = 0; w < options.warmupWindows; w++) {
      const m = await runOnce(c, w === 0 ? options.warmupMs : 0, options.warmupWindowMs, -1);
      if (!m) break;
      if (previous !== undefined && Math.abs(m.rate - previous) <= 0.2 * Math.max(m.rate, previous)) break;
      previous = m.rate;
    }
  }
  for (let round = firstRound; round < firstRound + (more?.rounds ?? options.rounds); round++) {
    for (const c of rotate(group.contenders, round)) {
      if (errors.has(c.name)) continue;
      const m = await runOnce(c, options.warmupMs, options.durationMs, round);
      if (m) measurements.push(m);
    }
  }
  return {
    id: group.id, family: group.axis.family, transport: group.axis.transport, protocol: group.axis.protocol,
    payload: group.shape.payloadName, inflight: group.shape.inflight, peer: group.peer, pinned,
    rows: rowsOf(group.contenders, measurements, errors), measurements,
    ...(more ? { settled: { rounds: firstRound + more.rounds, why: more.why } } : {}),
  };
}

/** What the long first warm-up is done once for: a client agent, a server agent and a listener. */
export function warmupPairing(c: Contender): string {
  return `${agentKey(c.client)}>${agentKey(c.server)}:${c.listener.key}`;
}

/** Forgets the first warm-ups of the pairs with any of these agents in them (new processes, --fresh-agents). */
export function forgetWarmups(warmed: Set<string>, contenders: readonly Contender[], agentKeys: readonly string[]): void {
  for (const c of contenders) {
    if (agentKeys.includes(agentKey(c.client)) || agentKeys.includes(agentKey(c.server))) warmed.delete(warmupPairing(c));
  }
}

/** The share of the time between two `cpu` answers of a Node agent in which its event loop was busy. */
export function loopBusyBetween(before: Answer, after: Answer): number | undefined {
  if (before.loopActiveMs === undefined || before.loopIdleMs === undefined || after.loopActiveMs === undefined || after.loopIdleMs === undefined) return undefined;
  const active = after.loopActiveMs - before.loopActiveMs;
  const total = active + after.loopIdleMs - before.loopIdleMs;
  return total > 0 ? active / total : undefined;
}

/** A Node agent's collection pauses and mark-compacts between two `cpu` answers. */
export function gcBetween(before: Answer, after: Answer): { pauseSeconds: number; markCompacts: number } | undefined {
  if (before.gcPauseSeconds === undefined || before.markCompacts === undefined || after.gcPauseSeconds === undefined || after.markCompacts === undefined) return undefined;
  return { pauseSeconds: after.gcPauseSeconds - before.gcPauseSeconds, markCompacts: after.markCompacts - before.markCompacts };
}

/** Per round, the measured side's collection figures: pause share of its CPU, mark-compacts per 1,000 calls. */
function gcFigures(own: readonly Measurement[], side: 'client' | 'server'): { gcPauseShare?: Summary; markCompactsPer1000?: Summary } {
  const shares: number[] = [];
  const perThousand: number[] = [];
  for (const m of own) {
    const pause = side === 'client' ? m.clientGcPauseSeconds : m.serverGcPauseSeconds;
    const majors = side === 'client' ? m.clientMarkCompacts : m.serverMarkCompacts;
    const cpu = side === 'client' ? m.clientCpuSeconds : m.serverCpuSeconds;
    if (pause === undefined || majors === undefined || cpu === undefined || m.totalCalls === undefined) continue;
    if (cpu > 0) shares.push(pause / cpu);
    if (m.totalCalls > 0) perThousand.push((majors * 1000) / m.totalCalls);
  }
  const gcPauseShare = summarize(shares);
  const markCompactsPer1000 = summarize(perThousand);
  return { ...(gcPauseShare ? { gcPauseShare } : {}), ...(markCompactsPer1000 ? { markCompactsPer1000 } : {}) };
}

function ratesByRound(measurements: readonly Measurement[], name: string): Map<number, number> {
  return new Map(measurements.filter((m) => m.contender === name).map((m) => [m.round, m.rate]));
}

type Side = 'client' | 'server' | 'both';

/** Calls per CPU-second per round: of client and server together, or of one side's process. */
function efficiencyByRound(measurements: readonly Measurement[], name: string, side: Side = 'both'): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of measurements) {
    if (m.contender !== name || m.totalCalls === undefined || m.clientCpuSeconds === undefined || m.serverCpuSeconds === undefined) continue;
    const cpu = side === 'client' ? m.clientCpuSeconds : side === 'server' ? m.serverCpuSeconds : m.clientCpuSeconds + m.serverCpuSeconds;
    if (cpu > 0 && m.totalCalls > 0) out.set(m.round, m.totalCalls / cpu);
  }
  return out;
}

/** Median CPU microseconds per call of one side's process, one decimal. */
function perCallUs(efficiency: ReadonlyMap<number, number>): number | undefined {
  const s = summarize([...efficiency.values()].map((e) => 1e6 / e));
  return s ? Math.round(s.median * 10) / 10 : undefined;
}

const MIB = 1024;

export function rowsOf(contenders: readonly Contender[], measurements: readonly Measurement[], errors: ReadonlyMap<string, string>): RowResult[] {
  const reference = contenders.find((c) => c.kind === 'reference');
  const floor = contenders.find((c) => c.kind === 'floor');
  const referenceRates = reference ? ratesByRound(measurements, reference.name) : new Map<number, number>();
  const floorRates = floor ? ratesByRound(measurements, floor.name) : new Map<number, number>();
  const referenceEfficiency = reference ? efficiencyByRound(measurements, reference.name) : new Map<number, number>();
  const replayRates = (kind: ContenderKind): Map<number, number> | undefined => {
    const name = kind === 'client' ? REPLAY_CLIENT : kind === 'server' ? REPLAY_SERVER : undefined;
    return name !== undefined && contenders.some((c) => c.kind === 'replay' && c.name === name) ? ratesByRound(measurements, name) : undefined;
  };
  return contenders.map((c) => {
    const own = measurements.filter((m) => m.contender === c.name);
    const rates = ratesByRound(measurements, c.name);
    const peak = (pick: (m: Measurement) => number | undefined): number | undefined => {
      const values = own.map(pick).filter((v): v is number => v !== undefined);
      return values.length > 0 ? Math.round((Math.max(...values) / MIB) * 10) / 10 : undefined;
    };
    const clientPeak = peak((m) => m.clientPeakRssKb);
    const serverPeak = peak((m) => m.serverPeakRssKb);
    const rate = summarize([...rates.values()]);
    const ratio = c.kind === 'reference' ? undefined : summarize(roundRatios(rates, referenceRates));
    const ofFloor = c.kind === 'floor' ? undefined : summarize(roundRatios(rates, floorRates));
    const replay = replayRates(c.kind);
    const ofReplay = replay ? summarize(roundRatios(rates, replay)) : undefined;
    const efficiency = efficiencyByRound(measurements, c.name);
    const cpuRatio = c.kind === 'reference' ? undefined : summarize(roundRatios(efficiency, referenceEfficiency));
    const perCall = summarize([...efficiency.values()].map((e) => 1e6 / e));
    const clientEfficiency = efficiencyByRound(measurements, c.name, 'client');
    const serverEfficiency = efficiencyByRound(measurements, c.name, 'server');
    const side: Side | undefined = c.kind === 'client' ? 'client' : c.kind === 'server' ? 'server' : undefined;
    const ownCpuRatio = side && reference
      ? summarize(roundRatios(side === 'client' ? clientEfficiency : serverEfficiency, efficiencyByRound(measurements, reference.name, side))) : undefined;
    const sides = [perCallUs(clientEfficiency), perCallUs(serverEfficiency)] as const;
    // The replay floor's rows too: whether Node doing no RPC work is itself held by its one thread.
    const loopSide = side ?? (c.name === REPLAY_CLIENT ? 'client' : c.name === REPLAY_SERVER ? 'server' : undefined);
    const loopBusy = loopSide === undefined
      ? undefined : summarize(own.map((m) => (loopSide === 'client' ? m.clientLoopBusy : m.serverLoopBusy)).filter((v): v is number => v !== undefined));
    const gc = loopSide === undefined ? {} : gcFigures(own, loopSide);
    const measured = c.kind === 'server' ? serverPeak : c.kind === 'client' ? clientPeak : undefined;
    const error = errors.get(c.name);
    return {
      name: c.name, kind: c.kind, impl: c.impl, connections: c.connections, inflightPerConnection: c.inflight,
      ...(rate ? { rate } : {}), ...(ratio ? { ratio } : {}), ...(ofFloor ? { ofFloor } : {}), ...(ofReplay ? { ofReplay } : {}),
      ...(cpuRatio ? { cpuRatio } : {}), ...(perCall ? { cpuUsPerCall: Math.round(perCall.median * 10) / 10 } : {}),
      ...(sides[0] !== undefined || sides[1] !== undefined ? { cpuUsPerCallSides: sides } : {}), ...(ownCpuRatio ? { ownCpuRatio } : {}),
      ...(loopBusy ? { loopBusy } : {}), ...gc,
      ...(measured !== undefined ? { peakRssMiB: measured } : {}),
      peakRssPairMiB: [clientPeak, serverPeak] as const,
      ...(error ? { error } : {}),
    };
  });
}
