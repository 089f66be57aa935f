import { describe, expect, it } from 'vitest';
import { globRegExp } from '../harness/matrix/glob.ts';
import { judge, loadExplanations, type Explanation } from './explanations.ts';
import { AXES, peerParticipant, planGroups, SHAPES, type Participant } from './plan.ts';

const floor: Explanation = {
  id: 'floor', groups: ['thrift/*/*/int/1/*'], rows: ['ours client'], cause: 'c', outside: 'o', profile: 'impls/thrift/profile/README.md',
  checks: [{ kind: 'at-raw-floor', atLeast: 0.9 }],
};
const cpu: Explanation = { ...floor, id: 'cpu', groups: ['*'], rows: ['ours client', 'ours server'], checks: [{ kind: 'cpu-ratio', atLeast: 1 }] };

describe('an explanation of a row below 1.0', () => {
  it('covers the row only while its check holds in the same run', () => {
    const row = { group: 'thrift/framed/binary/int/1/java', row: 'ours client', median: 0.7, cpu: 0.8 };
    expect(judge({ ...row, ofFloor: 0.95, floorRatio: 0.8 }, [floor, cpu])).toEqual({ explainedBy: 'floor', notHolding: [] });
    expect(judge({ ...row, ofFloor: 0.6, floorRatio: 0.8 }, [floor, cpu])).toEqual({ notHolding: ['floor: of the raw floor 0.60 < 0.9', 'cpu: cpu ratio 0.80 < 1'] });
    expect(judge(row, [floor])).toEqual({ notHolding: ['floor: of the raw floor not measured'] });
  });

  it('takes a floor as the cause only where the floor itself is below the reference', () => {
    const row = { group: 'thrift/framed/binary/int/1/python', row: 'ours client', median: 0.9, ofFloor: 0.95 };
    // Node's raw echo faster than the reference: our code could close the gap, so the floor explains nothing.
    expect(judge({ ...row, floorRatio: 1.2 }, [floor])).toEqual({ notHolding: ['floor: the raw floor itself at 1.20 of the reference'] });
    expect(judge(row, [floor])).toEqual({ notHolding: ["floor: the raw floor's own ratio not measured"] });
  });

  it('judges a row by the replay floor of its own side', () => {
    const replay: Explanation = { ...floor, id: 'replay', checks: [{ kind: 'at-replay-floor', atLeast: 0.9 }] };
    const row = { group: 'thrift/framed/binary/int/1/python', row: 'ours client', median: 0.9 };
    expect(judge({ ...row, ofReplay: 0.93, replayRatio: 0.97 }, [replay])).toEqual({ explainedBy: 'replay', notHolding: [] });
    expect(judge({ ...row, ofReplay: 0.85, replayRatio: 0.97 }, [replay])).toEqual({ notHolding: ['replay: of the replay floor 0.85 < 0.9'] });
    expect(judge({ ...row, ofReplay: 0.93, replayRatio: 1.01 }, [replay])).toEqual({ notHolding: ['replay: the replay floor itself at 1.01 of the reference'] });
  });

  it('holds only while every one of its checks holds: the cause is there, and the gap is no larger than it accounts for', () => {
    const collections: Explanation = {
      ...floor, id: 'collections', groups: ['*'], rows: ['ours server'],
      checks: [{ kind: 'mark-compacts', atLeast: 2 }, { kind: 'ratio', atLeast: 0.5 }],
    };
    const row = { group: 'avro/tcp/conformance/64KiB/1/python', row: 'ours server', median: 0.7 };
    expect(judge({ ...row, markCompactsPer1000: 4 }, [collections])).toEqual({ explainedBy: 'collections', notHolding: [] });
    // No full collections in this run: the profile's cause is not what holds the row back now.
    expect(judge({ ...row, markCompactsPer1000: 0 }, [collections])).toEqual({ notHolding: ['collections: mark-compacts per 1,000 calls 0.00 < 2'] });
    // The collections are there, but the row is further down than they account for.
    expect(judge({ ...row, median: 0.4, markCompactsPer1000: 4 }, [collections])).toEqual({ notHolding: ['collections: ratio 0.40 < 0.5'] });
    // A peer reports no collections: not measured is not holding.
    expect(judge(row, [collections])).toEqual({ notHolding: ['collections: mark-compacts per 1,000 calls not measured'] });
  });

  it('takes the row measured again in new processes as the cause only where it reached the bound there', () => {
    const history: Explanation = {
      ...floor, id: 'history', groups: ['*'], rows: ['ours server'],
      checks: [{ kind: 'fresh-process-ratio', atLeast: 1 }, { kind: 'ratio', atLeast: 0.5 }],
    };
    const row = { group: 'thrift/buffered/binary/int/32/java', row: 'ours server', median: 0.77 };
    expect(judge({ ...row, freshRatio: 1.13 }, [history])).toEqual({ explainedBy: 'history', notHolding: [] });
    // Below 1.0 in new processes too: the gap is not the process's history.
    expect(judge({ ...row, freshRatio: 0.9 }, [history])).toEqual({ notHolding: ['history: ratio in new processes 0.90 < 1'] });
    // The group was not measured again (the run's time bound, --no-settle): nothing to go on.
    expect(judge(row, [history])).toEqual({ notHolding: ['history: ratio in new processes not measured'] });
    // A gap larger than history alone has been seen to make stays unexplained.
    expect(judge({ ...row, median: 0.4, freshRatio: 1.2 }, [history])).toEqual({ notHolding: ['history: ratio 0.40 < 0.5'] });
  });

  it('falls through to the next explanation that covers the row', () => {
    expect(judge({ group: 'thrift/framed/binary/int/1/java', row: 'ours client', median: 0.7, ofFloor: 0.5, cpu: 1.2 }, [floor, cpu]).explainedBy).toBe('cpu');
  });

  it('leaves rows no explanation names unexplained', () => {
    expect(judge({ group: 'avro/http/conformance/int/1/java', row: 'ours server', median: 0.7, ofFloor: 0.99 }, [floor])).toEqual({ notHolding: [] });
  });

  it('are read from bench/explanations.json, which fits its schema and points at profile notes and headings that exist', async () => {
    const { readFileSync } = await import('node:fs');
    const explanations = loadExplanations();
    expect(explanations.length).toBeGreaterThan(0);
    for (const e of explanations) {
      const [file, anchor] = e.profile.split('#');
      const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
      if (anchor !== undefined) expect(headingAnchors(text), e.profile).toContain(decodeURIComponent(anchor));
    }
  });

  it('hold a row to the replay floor of its side where the group has one, and only a row without one to the raw floor', () => {
    // Every axis and shape against one peer, ours offering everything: the groups a full run can have.
    const offers = AXES.map(({ transport, protocol }) => ({ transport, protocol }));
    const peer = peerParticipant('peer', 'any-peer', offers, offers.map((o) => ({ ...o, serverKind: 'any' })));
    const ours: Participant = { id: 'ours', kind: 'node', source: 'ours', client: offers, server: offers };
    const groups = planGroups({ axes: AXES, shapes: SHAPES, implementations: { avro: [ours], thrift: [ours] }, peers: { avro: [peer], thrift: [peer] }, libraries: false, floor: true });
    const explanations = loadExplanations();
    const checks = (group: string, row: string): string[] =>
      explanations.filter((e) => e.rows.includes(row) && e.groups.some((glob) => globRegExp(glob).test(group))).flatMap((e) => e.checks?.map((c) => c.kind) ?? ['none']);
    const replayed = groups.filter((g) => g.contenders.some((c) => c.kind === 'replay'));
    // A row is held to the replay floor of its own side where the group has one, and to the raw floor otherwise.
    const replayedSide = (g: (typeof groups)[number], row: string): boolean =>
      g.contenders.some((c) => c.kind === 'replay' && c.name === (row === 'ours client' ? 'replay client' : 'replay server'));
    expect(replayed.map((g) => g.id)).toContain('avro/sasl/conformance/int/1/peer');
    // Thrift's int groups at 32 connections have a replay floor too, and are held to it.
    for (const g of replayed.filter((x) => x.axis.family === 'thrift' && x.shape.inflight === 32 && x.shape.payloadName === 'int')) {
      for (const row of ['ours client', 'ours server'].filter((r) => replayedSide(g, r))) expect(checks(g.id, row), `${g.id} ${row}`).toContain('at-replay-floor');
    }
    for (const g of groups.filter((x) => x.shape.inflight === 1 && x.shape.payloadName !== '1MiB')) {
      for (const row of ['ours client', 'ours server']) {
        const kinds = checks(g.id, row);
        if (replayedSide(g, row)) {
          expect(kinds, `${g.id} ${row}`).toContain('at-replay-floor');
          expect(kinds, `${g.id} ${row}`).not.toContain('at-raw-floor');
        } else {
          expect(kinds, `${g.id} ${row}`).toContain('at-raw-floor');
        }
      }
    }
  });
});

/** The anchors GitHub gives a markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => (m[1] as string).toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
}
