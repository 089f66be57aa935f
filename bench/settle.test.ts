import { describe, expect, it } from 'vitest';
import type { Agent } from './agents.ts';
import type { Explanation } from './explanations.ts';
import { type GroupResult, measureGroup, type MeasureOptions, type RowResult } from './measure.ts';
import { agentKey, type Contender, type Group, type Participant, SHAPES } from './plan.ts';
import { settleReason, type Unsettled, unsettledDatafile, unsettledGroups } from './settle.ts';

const replayFloor: Explanation = {
  id: 'replay-floor', groups: ['thrift/framed/*/int/1/*'], rows: ['ours server'], cause: 'c', outside: 'o', profile: 'bench/README.md',
  checks: [{ kind: 'at-replay-floor', atLeast: 0.8 }],
};
const summary = (median: number) => ({ min: median, median, max: median, n: 3 });
/** A group whose rows are the reference, our server (ratio, × replay floor) and the replay server (its ratio). */
function group(id: string, ratio: number, ofReplay: number, replayRatio = 0.8): GroupResult {
  const rows: RowResult[] = [
    { name: 'java client → java server', kind: 'reference', impl: 'java', connections: 1, inflightPerConnection: 1, peakRssPairMiB: [undefined, undefined] },
    { name: 'ours server', kind: 'server', impl: 'ours', connections: 1, inflightPerConnection: 1, ratio: summary(ratio), ofReplay: summary(ofReplay), peakRssPairMiB: [undefined, undefined] },
    { name: 'replay server', kind: 'replay', impl: 'replay', connections: 1, inflightPerConnection: 1, ratio: summary(replayRatio), peakRssPairMiB: [undefined, undefined] },
  ];
  return { id, family: 'thrift', transport: 'framed', protocol: 'binary', payload: 'int', inflight: 1, peer: 'java', pinned: true, rows, measurements: [] };
}

describe('a group near another verdict', () => {
  it('is measured again whichever way its row stands: just short of its explanation, or just inside it', () => {
    const groups = [
      group('thrift/framed/binary/int/1/java', 0.6, 0.78), // not explained, 3% short of the replay check
      group('thrift/framed/compact/int/1/java', 0.6, 0.83), // explained, 4% above the check
      group('thrift/framed/binary/int/1/python', 0.5, 0.4), // not explained by far: more rounds would not change that
      group('thrift/framed/compact/int/1/python', 0.7, 1.2), // explained by far
    ];
    const unsettled = unsettledGroups(groups, [replayFloor], { margin: 0.15, most: 10 });
    expect(unsettled.map((u) => u.group)).toEqual(['thrift/framed/binary/int/1/java', 'thrift/framed/compact/int/1/java']);
    expect(unsettled[0]?.margin).toBeCloseTo(0.8 / 0.78 - 1, 10);
    expect(unsettled[1]?.margin).toBeCloseTo(0.83 / 0.8 - 1, 10);
  });

  it('counts a row just above 1.0 that nothing would explain below it, and not one far above', () => {
    const unsettled = unsettledGroups([group('thrift/buffered/binary/int/1/java', 1.05, 0.5), group('thrift/buffered/binary/int/32/java', 1.4, 0.5)], [replayFloor], { margin: 0.15, most: 10 });
    expect(unsettled.map((u) => u.group)).toEqual(['thrift/buffered/binary/int/1/java']);
    expect(unsettled[0]?.margin).toBeCloseTo(0.05, 10);
  });

  it('takes a floor at or above the reference as no explanation at all', () => {
    // × replay floor 0.9 would hold, but the floor itself is at 1.1 of the reference: 10% from explaining.
    expect(unsettledGroups([group('thrift/framed/binary/int/1/java', 0.7, 0.9, 1.1)], [replayFloor], { margin: 0.15, most: 10 })[0]?.margin).toBeCloseTo(0.1, 10);
  });

  it('take an explanation with several checks to be as near as its nearest check', () => {
    // The replay check has 25% of room (1.0 / 0.8), the ratio bound only 5% (0.63 / 0.6).
    const bounded: Explanation = { ...replayFloor, checks: [{ kind: 'at-replay-floor', atLeast: 0.8 }, { kind: 'ratio', atLeast: 0.6 }] };
    const unsettled = unsettledGroups([group('thrift/framed/binary/int/1/java', 0.63, 1.0)], [bounded], { margin: 0.15, most: 10 });
    expect(unsettled[0]?.margin).toBeCloseTo(0.63 / 0.6 - 1, 10);
  });

  it('are taken nearest first, at most as many as the bound', () => {
    const groups = [group('a/framed/x/int/1/java', 0.6, 0.7), group('thrift/framed/a/int/1/java', 0.6, 0.79), group('thrift/framed/b/int/1/java', 0.6, 0.75)];
    expect(unsettledGroups(groups, [replayFloor], { margin: 0.15, most: 2 }).map((u) => u.group)).toEqual(['thrift/framed/a/int/1/java', 'thrift/framed/b/int/1/java']);
  });
});

describe('a group whose rates moved between its rounds', () => {
  /** The reference's and our server's calls per second over three rounds, and our verdict far from any boundary. */
  function unsteady(id: string, reference: [number, number], ours: [number, number]): GroupResult {
    const base = group(id, 0.4, 0.3);
    const rate = ([min, max]: [number, number]) => ({ min, median: (min + max) / 2, max, n: 3 });
    return { ...base, rows: base.rows.map((r) => (r.kind === 'reference' ? { ...r, rate: rate(reference) } : r.impl === 'ours' ? { ...r, rate: rate(ours) } : r)) };
  }
  const options = { margin: 0.15, most: 10, spread: 3 };

  it('is measured again however far its verdict is from a boundary, the widest spread first', () => {
    const groups = [
      unsteady('thrift/framed/binary/int/1/java', [900, 1000], [600, 700]), // steady, not explained by far
      unsteady('avro/tcp/conformance/int/1/java', [616, 9134], [1978, 10297]), // the reference moved 14.8x
      unsteady('avro/netty/conformance/int/1/java', [1000, 1100], [500, 2000]), // our server moved 4x
      group('thrift/framed/compact/int/1/java', 0.6, 0.78), // near the replay check, rates not given
    ];
    const unsettled = unsettledGroups(groups, [replayFloor], options);
    expect(unsettled.map((u) => u.group)).toEqual(['avro/tcp/conformance/int/1/java', 'avro/netty/conformance/int/1/java', 'thrift/framed/compact/int/1/java']);
    expect(unsettled[0]?.spread?.row).toBe('java client → java server');
    expect(unsettled[0]?.spread?.factor).toBeCloseTo(9134 / 616, 10);
    expect(unsettled[1]?.spread).toEqual({ row: 'ours server', factor: 4 });
    expect(settleReason(unsettled[0] as Unsettled)).toBe("java client → java server's rate moved 14.8x between rounds");
  });

  it('never takes the place of a group near another verdict: the unsteady ones have a bound of their own', () => {
    const groups = [
      unsteady('avro/tcp/conformance/int/1/java', [616, 9134], [1978, 10297]),
      unsteady('avro/netty/conformance/int/1/java', [1000, 1100], [500, 2000]),
      unsteady('avro/sasl/conformance/int/1/java', [1000, 3500], [600, 700]),
      group('thrift/framed/compact/int/1/java', 0.6, 0.78),
      group('thrift/framed/binary/int/1/java', 0.6, 0.79),
    ];
    const unsettled = unsettledGroups(groups, [replayFloor], { margin: 0.15, most: 1, spread: 3, mostUnsteady: 2 });
    expect(unsettled.map((u) => u.group)).toEqual(['avro/tcp/conformance/int/1/java', 'avro/netty/conformance/int/1/java', 'thrift/framed/binary/int/1/java']);
  });

  it('is left alone at a spread of 3x or less, and when spread is not asked for', () => {
    expect(unsettledGroups([unsteady('thrift/framed/binary/int/1/java', [1000, 3000], [600, 1800])], [replayFloor], options)).toEqual([]);
    expect(unsettledGroups([unsteady('avro/tcp/conformance/int/1/java', [616, 9134], [1978, 10297])], [replayFloor], { margin: 0.15, most: 10 })).toEqual([]);
  });
});

describe('more rounds of a group', () => {
  const java: Participant = { id: 'java', kind: 'peer', source: 'java-thrift', client: [], server: [] };
  const ours: Participant = { id: 'ours', kind: 'node', source: 'impls/thrift/adapter.ts', client: [], server: [] };
  const listener = { key: 'thrift-framed-binary', family: 'thrift' as const, transport: 'framed', protocol: 'binary' };
  const pair = (name: string, kind: Contender['kind'], server: Participant): Contender => ({
    name, kind, impl: server.id, client: { participant: java, family: 'thrift', role: 'client' }, server: { participant: server, family: 'thrift', role: 'server' },
    listener, connections: 1, inflight: 1,
  });
  const shape = SHAPES[0];
  if (!shape) throw new Error('no shape');
  const g: Group = {
    id: 'thrift/framed/binary/int/1/java', axis: { family: 'thrift', transport: 'framed', protocol: 'binary' }, shape, peer: 'java',
    contenders: [pair('java client → java server', 'reference', java), pair('ours server', 'server', ours)],
  };
  /** Agents that answer every window with the next rate of a list per server (calls in one second). */
  function fakeAgents(rates: Record<string, number[]>): ReadonlyMap<string, Agent> {
    // The client agent runs every window; the port says whose server it went to (ports below).
    const agent = {
      pin: async () => undefined, resetPeak: () => undefined, peakRssKb: () => undefined, hold: () => undefined, cpuNs: () => undefined,
      request: async (command: { op: string; target?: { port: number } }) => {
        if (command.op === 'cpu') return { id: 0, ok: true };
        const rate = rates[command.target?.port === 1 ? 'java' : 'ours']?.shift() ?? 0;
        return { id: 0, ok: true, calls: rate, seconds: 1 };
      },
    } as unknown as Agent;
    return new Map(g.contenders.flatMap((c) => [[agentKey(c.client), agent], [agentKey(c.server), agent]] as const));
  }
  const options: MeasureOptions = {
    rounds: 3, durationMs: 1, warmupMs: 0, warmupWindows: 0, warmupWindowMs: 1, firstWarmupMs: 1, timeoutMs: 1_000, pin: false,
    deadline: Number.MAX_SAFE_INTEGER, progress: () => undefined, warmed: new Set(['java/thrift/client>java/thrift/server:thrift-framed-binary', 'java/thrift/client>ours/thrift/server:thrift-framed-binary']),
  };
  const ports = { port: (agent: string) => (agent.startsWith('java') ? 1 : 2) };

  it('continue its round numbers and judge its rows over every round, the first ones kept', async () => {
    const first = await measureGroup(g, fakeAgents({ java: [100, 100, 100], ours: [70, 70, 70] }), ports, options);
    expect(first.rows.find((r) => r.name === 'ours server')?.ratio?.median).toBeCloseTo(0.7, 10);
    const more = await measureGroup(g, fakeAgents({ java: [100, 100, 100, 100], ours: [90, 90, 90, 90] }), ports, options, { previous: first, rounds: 4, why: 'near' });
    expect(more.measurements.map((m) => m.round)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    const ratio = more.rows.find((r) => r.name === 'ours server')?.ratio;
    expect(ratio).toMatchObject({ min: 0.7, max: 0.9, n: 7 });
    expect(ratio?.median).toBeCloseTo(0.9, 10);
    expect(more.settled).toEqual({ rounds: 7, why: 'near' });
  });
});

describe('the data-file rows', () => {
  const row = (codec: string, ratio: number) => ({ codec, op: 'write' as const, peer: 'java', ratio: summary(ratio), cpuRatio: summary(ratio) });
  const readValues: Explanation = { ...replayFloor, id: 'read', groups: ['datafile/*/read/*'], rows: ['ours'], checks: [{ kind: 'ratio', atLeast: 0.3 }] };

  it('get more rounds, all of them, when one of them is near another verdict', () => {
    expect(unsettledDatafile([row('null', 1.5), row('deflate', 0.5)], [readValues])).toBeUndefined();
    expect(unsettledDatafile([row('null', 1.5), row('deflate', 0.9)], [readValues])).toBe('datafile/deflate/write/java ours within 11% of another verdict');
    expect(unsettledDatafile([{ ...row('snappy', 0.32), op: 'read' }], [readValues])).toBe('datafile/snappy/read/java ours within 7% of another verdict');
  });
});
