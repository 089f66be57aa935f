import { describe, expect, it } from 'vitest';
import type { Explanation } from './explanations.ts';
import { freshReason, freshRounds, judgedPart, unexplainedGroups } from './fresh.ts';
import type { GroupResult, RowResult } from './measure.ts';
import { peerParticipant, planGroups, SHAPES, type Participant } from './plan.ts';
import { figuresOfGroup } from './report.ts';

const collections: Explanation = {
  id: 'collections', groups: ['*'], rows: ['ours server'], cause: 'c', outside: 'o', profile: 'bench/README.md',
  checks: [{ kind: 'mark-compacts', atLeast: 2 }],
};
const summary = (median: number) => ({ min: median, median, max: median, n: 3 });
const reference: RowResult = { name: 'java client → java server', kind: 'reference', impl: 'java', connections: 1, inflightPerConnection: 1, peakRssPairMiB: [undefined, undefined] };
/** A group with our client and server at these ratios; our server's mark-compacts per 1,000 calls. */
function group(id: string, client: number, server: number, markCompacts = 0): GroupResult {
  const ours = (name: string, kind: 'client' | 'server', ratio: number): RowResult => ({
    name, kind, impl: 'ours', connections: 1, inflightPerConnection: 1, ratio: summary(ratio), markCompactsPer1000: summary(markCompacts), peakRssPairMiB: [undefined, undefined],
  });
  return {
    id, family: 'thrift', transport: 'buffered', protocol: 'binary', payload: 'int', inflight: 32, peer: 'java', pinned: false,
    rows: [reference, ours('ours client', 'client', client), ours('ours server', 'server', server)], measurements: [],
  };
}

describe('a group with a row of ours that nothing explains', () => {
  it('is measured in new processes; one whose rows are at 1.0 or explained is not', () => {
    const groups = [
      group('thrift/buffered/binary/int/32/java', 1.1, 0.77), // our server unexplained
      group('thrift/framed/binary/64KiB/32/java', 1.2, 0.7, 3), // below, but the collections explain it
      group('thrift/framed/binary/int/32/java', 1.1, 1.04), // nothing below 1.0
      group('avro/http/conformance/int/1/java', 0.95, 0.71), // both rows unexplained
    ];
    const chosen = unexplainedGroups(groups, [collections]);
    // The lowest unexplained row first.
    expect(chosen.map((u) => u.group)).toEqual(['avro/http/conformance/int/1/java', 'thrift/buffered/binary/int/32/java']);
    expect(chosen[0]?.rows).toEqual([{ row: 'ours client', median: 0.95 }, { row: 'ours server', median: 0.71 }]);
    expect(freshReason(chosen[0] as (typeof chosen)[number])).toBe('not explained in the run: ours client 0.95, ours server 0.71');
  });

  it('are taken at most as many as the bound, and a group skipped or already measured so is not taken again', () => {
    const groups = [group('a/1', 1, 0.5), group('a/2', 1, 0.6), group('a/3', 1, 0.7)];
    expect(unexplainedGroups(groups, [], 2).map((u) => u.group)).toEqual(['a/1', 'a/2']);
    const measured = { ...group('a/1', 1, 0.5), fresh: { rounds: 3, why: 'w', rows: [] } };
    const skipped = { ...group('a/2', 1, 0.6), skipped: 'time bound' };
    expect(unexplainedGroups([measured, skipped, group('a/3', 1, 0.7)], []).map((u) => u.group)).toEqual(['a/3']);
  });

  it('is measured there over as many rounds as its rows have, more rounds included', () => {
    const row = group('thrift/buffered/binary/int/32/java', 1.1, 0.77);
    expect(freshRounds(row, 3)).toBe(3);
    expect(freshRounds({ ...row, settled: { rounds: 7, why: 'near 1.0' } }, 3)).toBe(7);
    expect(freshRounds({ ...row, settled: { rounds: 2, why: 'w' } }, 3)).toBe(3);
  });

  it('keeps its own figures, and gives its rows the ratio measured in new processes beside them', () => {
    const fresh = group('thrift/buffered/binary/int/32/java', 1.05, 1.13).rows;
    const figures = figuresOfGroup({ ...group('thrift/buffered/binary/int/32/java', 1.1, 0.77), fresh: { rounds: 3, why: 'w', rows: fresh } });
    expect(figures.map((f) => [f.row, f.median, f.freshRatio])).toEqual([['ours client', 1.1, 1.05], ['ours server', 0.77, 1.13]]);
  });
});

describe('a group measured in new processes', () => {
  it('keeps our rows and what they are judged against, not the libraries\' rows (nor their agents)', () => {
    const http = { transport: 'http', protocol: 'conformance' };
    const java = peerParticipant('java', 'java-avro', [http], [{ ...http, serverKind: 'jetty' }]);
    const node = (id: string, source: string): Participant => ({ id, kind: 'node', source, client: [http], server: [{ ...http, serverKind: 'ours' }] });
    const [group] = planGroups({
      axes: [{ family: 'avro', ...http }], shapes: SHAPES.filter((s) => s.payloadName === 'int' && s.inflight === 1),
      implementations: { avro: [node('ours', 'impls/avro/adapter.ts'), node('avsc5', 'impls/avsc5/adapter.ts')], thrift: [] }, peers: { avro: [java], thrift: [] }, libraries: true, floor: true,
    });
    expect(group?.contenders.map((c) => c.name)).toContain('avsc5 server');
    const judged = judgedPart(group as NonNullable<typeof group>);
    expect(judged.contenders.map((c) => c.name)).toEqual(group?.contenders.filter((c) => c.impl !== 'avsc5').map((c) => c.name));
    expect(judged.contenders.map((c) => c.name)).toEqual(expect.arrayContaining(['java client → java server', 'ours client', 'ours server', 'raw floor']));
  });
});
