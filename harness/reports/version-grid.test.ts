import { describe, expect, it } from 'vitest';
import type { CaseResult, Outcome } from '../results/model.ts';
import { summarizeCells } from './aggregate.ts';
import { versionGrids } from './version-grid.ts';

function result(version: string, transport: string, id: string, outcome: Outcome): CaseResult {
  const coordinates = {
    family: 'thrift', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python', implementation: 'ours',
    version, transport, protocol: 'binary', socket: 'tcp', serverKind: 'simple', case: id,
  } as const;
  return { coordinates, cellId: `c.${version}.${transport}`, title: `${version} ${transport} ${id}`, outcome, durationMs: 1, attempts: 1, logs: {} };
}

describe('versionGrids', () => {
  it('has one row per implementation x transport x protocol, the releases in order, and lists only changes of interoperating', () => {
    const results = [
      ...(['0.9.0', '0.20.0', '0.16.0'] as const).flatMap((v) => [
        result(v, 'framed', 'a', v === '0.20.0' ? 'fail' : 'pass'),     // stops working in 0.20.0
        result(v, 'framed', 'b', v === '0.9.0' ? 'fail' : v === '0.16.0' ? 'expected-failure' : 'timeout'), // never works: no change
        result(v, 'framed', 'c', v === '0.16.0' ? 'skipped' : 'pass'),  // did not run in one release: no change either side
      ]),
      result('0.16.0', 'http', 'a', 'pass'),
    ];
    const [grid, ...others] = versionGrids(summarizeCells(results));
    expect(others).toEqual([]);
    expect(grid?.versions).toEqual(['0.9.0', '0.16.0', '0.20.0']);
    expect(grid?.rowAxes).toEqual(['implementation', 'transport', 'protocol']);
    expect(grid?.rows.map((r) => r.label)).toEqual(['ours · framed · binary', 'ours · http · binary']);
    const framed = grid?.rows[0];
    expect(framed?.entries.map((e) => e && `${e.tally.interoperating}/${e.tally.ran}`)).toEqual(['2/3', '1/2', '1/3']);
    expect(framed?.steps.map((s) => `${s.from}->${s.to}: ${s.changes.map((c) => `${c.case} ${c.before}->${c.after}`).join(', ')}`))
      .toEqual(['0.9.0->0.16.0: ', '0.16.0->0.20.0: a pass->fail']);
    expect(grid?.rows[1]?.entries.map((e) => (e ? e.cellIds : undefined))).toEqual([undefined, ['c.0.16.0.http'], undefined]);
  });

  it('draws nothing for a peer run in one release only', () => {
    expect(versionGrids(summarizeCells([result('0.20.0', 'framed', 'a', 'pass')]))).toEqual([]);
  });

  it('lists apart, and does not count, a case that flips under the same intermittent known-failure entry in both releases', () => {
    const flaky = { id: 'jetty-fin-race', reason: 'intermittent' };
    const scoped = { id: 'only-before-0-20', reason: 'fixed in 0.20.0' };
    const results = [
      { ...result('0.16.0', 'framed', 'x', 'expected-failure'), knownFailure: flaky },
      { ...result('0.20.0', 'framed', 'x', 'pass'), knownFailure: flaky },     // passed under the entry: chance
      { ...result('0.16.0', 'framed', 'y', 'expected-failure'), knownFailure: scoped },
      result('0.20.0', 'framed', 'y', 'pass'),                                  // the release fixed it: a change
    ];
    const step = versionGrids(summarizeCells(results))[0]?.rows[0]?.steps[0];
    expect(step?.changes.map((c) => c.case)).toEqual(['y']);
    expect(step?.chance.map((c) => `${c.case} ${c.before}->${c.after}`)).toEqual(['x expected-failure->pass']);
  });
});
