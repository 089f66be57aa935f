import { describe, expect, it } from 'vitest';
import type { Agent } from './agents.ts';
import { forgetWarmups, gcBetween, loopBusyBetween, measureGroup, rowsOf, warmupPairing, type Measurement } from './measure.ts';
import { agentKey, RAW, REPLAY, REPLAY_SERVER, SHAPES, type Contender, type Group, type Participant } from './plan.ts';

const java: Participant = { id: 'java', kind: 'peer', source: 'java-thrift', client: [], server: [] };
const ours: Participant = { id: 'ours', kind: 'node', source: 'impls/thrift/adapter.ts', client: [], server: [] };
const listener = { key: 'thrift-framed-binary', family: 'thrift' as const, transport: 'framed', protocol: 'binary' };
const pair = (name: string, kind: Contender['kind'], client: Participant, server: Participant): Contender => ({
  name, kind, impl: kind === 'reference' ? 'java' : client === java ? server.id : client.id,
  client: { participant: client, family: 'thrift', role: 'client' }, server: { participant: server, family: 'thrift', role: 'server' },
  listener, connections: 1, inflight: 1,
});
const contenders = [
  pair('java client → java server', 'reference', java, java),
  pair('ours server', 'server', java, ours),
  pair('raw floor', 'floor', RAW, RAW),
  pair(REPLAY_SERVER, 'replay', java, REPLAY),
];
/** One round: calls per second, and CPU µs per call of client and server (1,000 calls). */
const m = (contender: string, round: number, rate: number, clientUs: number, serverUs: number): Measurement => ({
  contender, round, calls: rate, seconds: 1, rate, totalCalls: 1000, clientCpuSeconds: clientUs / 1000, serverCpuSeconds: serverUs / 1000,
});

describe('rowsOf', () => {
  it('takes every ratio round by round: to the reference, the raw floor, the replay floor of the row\'s side, and each side\'s CPU', () => {
    const rows = rowsOf(contenders, [
      m('java client → java server', 0, 10_000, 30, 30), m('ours server', 0, 8_000, 40, 60), m('raw floor', 0, 9_000, 40, 40), m(REPLAY_SERVER, 0, 8_500, 38, 45),
      m('java client → java server', 1, 5_000, 30, 30), m('ours server', 1, 4_500, 40, 45), m('raw floor', 1, 5_000, 40, 40), m(REPLAY_SERVER, 1, 4_600, 38, 45),
    ], new Map());
    const server = rows.find((r) => r.name === 'ours server');
    expect(server?.ratio?.min).toBeCloseTo(0.8, 10);
    expect(server?.ratio?.max).toBeCloseTo(0.9, 10);
    expect(server?.ofReplay?.median).toBeCloseTo((8_000 / 8_500 + 4_500 / 4_600) / 2, 10);
    // Our server's own CPU per call against Java's server's (30 µs): 60 and 45 µs.
    expect(server?.ownCpuRatio?.min).toBeCloseTo(0.5, 10);
    expect(server?.ownCpuRatio?.max).toBeCloseTo(30 / 45, 10);
    expect(server?.cpuUsPerCallSides).toEqual([40, 52.5]);
    expect(rows.find((r) => r.name === REPLAY_SERVER)?.ofReplay).toBeUndefined();
    expect(rows.find((r) => r.kind === 'reference')?.ownCpuRatio).toBeUndefined();
  });

  it("gives a row of ours its own process's event-loop busy share, round by round, and none to a peer's row", () => {
    const rows = rowsOf(contenders, [
      { ...m('java client → java server', 0, 10_000, 30, 30) }, { ...m('ours server', 0, 8_000, 40, 60), clientLoopBusy: 0.5, serverLoopBusy: 0.97 },
      { ...m('java client → java server', 1, 9_000, 30, 30) }, { ...m('ours server', 1, 7_000, 40, 60), serverLoopBusy: 0.91 },
      { ...m(REPLAY_SERVER, 0, 9_500, 30, 20), serverLoopBusy: 0.6 },
    ], new Map());
    const server = rows.find((r) => r.name === 'ours server');
    // The server row's figure is the server's loop (the client's 0.5 is not ours to judge).
    expect(server?.loopBusy).toMatchObject({ min: 0.91, max: 0.97, n: 2 });
    expect(rows.find((r) => r.kind === 'reference')?.loopBusy).toBeUndefined();
    expect(rows.find((r) => r.name === REPLAY_SERVER)?.loopBusy?.median).toBe(0.6);
  });

  it("gives a row of ours its own process's collections, round by round: pause share of its CPU, mark-compacts per 1,000 calls", () => {
    const rows = rowsOf(contenders, [
      m('java client → java server', 0, 10_000, 30, 30),
      // Server CPU 60 ms over 1,000 calls, 15 ms of it in collections, 4 mark-compacts; the client's figures are not the row's.
      { ...m('ours server', 0, 8_000, 40, 60), clientGcPauseSeconds: 0.039, clientMarkCompacts: 9, serverGcPauseSeconds: 0.015, serverMarkCompacts: 4 },
      { ...m('ours server', 1, 8_000, 40, 50), serverGcPauseSeconds: 0.005, serverMarkCompacts: 0 },
      m('ours server', 2, 8_000, 40, 50),
    ], new Map());
    const server = rows.find((r) => r.name === 'ours server');
    expect(server?.gcPauseShare?.min).toBeCloseTo(0.1, 10);
    expect(server?.gcPauseShare).toMatchObject({ max: 0.25, n: 2 });
    expect(server?.markCompactsPer1000).toMatchObject({ min: 0, max: 4, n: 2 });
    expect(rows.find((r) => r.kind === 'reference')?.gcPauseShare).toBeUndefined();
  });
});

describe('gcBetween', () => {
  it("is a Node agent's collection pauses and mark-compacts between two cpu answers, unknown for a peer", () => {
    expect(gcBetween({ id: 1, ok: true, gcPauseSeconds: 0.5, markCompacts: 3 }, { id: 2, ok: true, gcPauseSeconds: 0.75, markCompacts: 5 })).toEqual({ pauseSeconds: 0.25, markCompacts: 2 });
    expect(gcBetween({ id: 1, ok: true, cpuSeconds: 1 }, { id: 2, ok: true, cpuSeconds: 2 })).toBeUndefined();
  });
});

describe('loopBusyBetween', () => {
  it('is the busy share of the span between two cpu answers of a Node agent', () => {
    expect(loopBusyBetween({ id: 1, ok: true, loopActiveMs: 100, loopIdleMs: 900 }, { id: 2, ok: true, loopActiveMs: 1_000, loopIdleMs: 1_000 })).toBeCloseTo(0.9, 10);
  });

  it('is unknown for an agent that does not report its loop (the peers), or an empty span', () => {
    expect(loopBusyBetween({ id: 1, ok: true, cpuSeconds: 1 }, { id: 2, ok: true, cpuSeconds: 2 })).toBeUndefined();
    expect(loopBusyBetween({ id: 1, ok: true, loopActiveMs: 5, loopIdleMs: 5 }, { id: 2, ok: true, loopActiveMs: 5, loopIdleMs: 5 })).toBeUndefined();
  });
});

describe('a window', () => {
  it('runs only its pair: every other agent is held (stopped) while it is measured, and let go when asked', async () => {
    const shape = SHAPES[0];
    if (!shape) throw new Error('no shape');
    const group: Group = { id: 'thrift/framed/binary/int/1/java', axis: { family: 'thrift', transport: 'framed', protocol: 'binary' }, shape, peer: 'java', contenders };
    const held = new Map<string, boolean>();
    /** For each window (a client's run): the agents held while it ran. */
    const windows: Array<{ pair: string; held: string[] }> = [];
    const agents = new Map<string, Agent>();
    for (const c of contenders) {
      for (const key of [agentKey(c.client), agentKey(c.server)]) {
        if (agents.has(key)) continue;
        held.set(key, false);
        agents.set(key, {
          pin: async () => undefined, resetPeak: () => undefined, peakRssKb: () => undefined, cpuNs: () => undefined,
          hold: (value: boolean) => { held.set(key, value); },
          request: async (command: { op: string; target?: { port: number } }) => {
            held.set(key, false); // as Agent.request does
            if (command.op !== 'run') return { id: 0, ok: true };
            const pair = contenders.find((x) => ports.port(agentKey(x.server)) === command.target?.port && agentKey(x.client) === key);
            windows.push({ pair: pair?.name ?? '?', held: [...held].filter(([, h]) => h).map(([k]) => k).sort() });
            return { id: 0, ok: true, calls: 100, seconds: 1 };
          },
        } as unknown as Agent);
      }
    }
    const serverKeys = contenders.map((c) => agentKey(c.server));
    const ports = { port: (agent: string) => serverKeys.indexOf(agent) + 1 };
    await measureGroup(group, agents, ports, {
      rounds: 2, durationMs: 1, warmupMs: 0, warmupWindows: 0, warmupWindowMs: 1, firstWarmupMs: 1, timeoutMs: 1_000, pin: false,
      deadline: Number.MAX_SAFE_INTEGER, progress: () => undefined, warmed: new Set(),
    });
    expect(windows.length).toBe(contenders.length * 3); // a first warm-up and two rounds each
    for (const { pair, held: stopped } of windows) {
      const c = contenders.find((x) => x.name === pair);
      if (!c) throw new Error(`a window of no contender: ${pair}`);
      const others = [...agents.keys()].filter((k) => k !== agentKey(c.client) && k !== agentKey(c.server)).sort();
      expect(stopped, pair).toEqual(others);
    }
  });
});

describe('forgetWarmups (--fresh-agents)', () => {
  it('forgets the first warm-up of every pair a new agent process is in, and keeps the others', () => {
    const oursServer = contenders.find((c) => c.name === 'ours server');
    if (!oursServer) throw new Error('no ours server');
    const warmed = new Set(contenders.map(warmupPairing));
    forgetWarmups(warmed, contenders, [agentKey(oursServer.server)]);
    // ours server is the only contender with the agent ours/thrift/server.
    expect([...warmed].sort()).toEqual(contenders.filter((c) => c.name !== 'ours server').map(warmupPairing).sort());
  });
});
