import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../results/model.ts';
import { familyGrids, pairKey, sideOrder, summarizeCells, tallyOf } from './aggregate.ts';
import { fixtureResults } from './fixture-results.ts';
import { cellName } from './junit.ts';
import { marksText, pairLine, shareSymbol, shareText } from './marks.ts';

describe('shareText and shareSymbol', () => {
  it('rounds down, so that only all cases read 100% and green', () => {
    expect(shareText({ interoperating: 9999, ran: 10000 })).toBe('99.9%');
    expect(shareText({ interoperating: 10000, ran: 10000 })).toBe('100%');
    expect(shareText({ interoperating: 0, ran: 47 })).toBe('0%');
    expect(shareText({ interoperating: 56, ran: 59 })).toBe('94.9%');
    expect(shareText({ interoperating: 1, ran: 2 })).toBe('50%');
    expect(shareText({ interoperating: 0, ran: 0 })).toBe('—');
    expect([[59, 59], [56, 59], [5, 52], [0, 47], [0, 0]].map(([ok, ran]) => shareSymbol({ interoperating: ok as number, ran: ran as number })))
      .toEqual(['🟩', '🟨', '🟥', '🟥', '⬜']);
    expect(shareSymbol({ interoperating: 1, ran: 2 })).toBe('🟧');
  });
});

describe('cells, pairs and their lines', () => {
  const run = fixtureResults('/tmp/x.tap');
  const cells = summarizeCells(run.results);

  it('counts an unexpected pass as interoperating, an expected failure as not, a skip as not run', () => {
    const javaToOurs = cells.find((c) => c.cellId === 'avro.java-to-ours.socket.conformance.default');
    expect(javaToOurs).toMatchObject({ ran: 3, interoperating: 2, gateFailures: 1, knownFailures: { 'java-float-nan': 1 } });
    expect(marksText(javaToOurs ?? tallyOf([]))).toBe('‼1 ⚑1 ⊘1');
  });

  it('puts implementations in rows (ours first) and peers in columns, adding up both directions and every release', () => {
    const [avro, thrift] = familyGrids(cells, new Set(['ours']), new Set(['java', 'python']));
    expect(avro).toMatchObject({ family: 'avro', rows: ['ours'], cols: ['java', 'python'], cases: 8 });
    expect(thrift?.pairs.get(pairKey('ours', 'python'))).toMatchObject({ ran: 6, interoperating: 4 });
    const pair = avro?.pairs.get(pairKey('ours', 'java'));
    expect(pairLine('ours', 'java', pair ?? tallyOf([]), ['ts-server'])).toBe(
      'ours ↔ java: 2/3 interoperate (66.6%) · 1 cell (ts-server 1) · not interoperating: ⚑1 (java-float-nan 1) · ‼1 unexpected pass · ⊘1 skipped · gate ✗1');
  });

  it('orders a side: ours, then the declared implementations or peers, then anything else, each alphabetically', () => {
    expect(sideOrder(['zeta', 'python', 'avsc5', 'ours', 'avro-js', 'python'], new Set(['avsc5', 'avro-js']))).toEqual(['ours', 'avro-js', 'avsc5', 'python', 'zeta']);
  });

  it('names a cell by every axis it has, the release beside the peer', () => {
    const names = cells.map((c) => cellName((c.results[0] as CaseResult).coordinates));
    expect(names).toContain('thrift | ts-client | ours -> python@0.20.0 | framed | json | tcp | simple');
    expect(names).toContain('avro | ts-server | java -> ours | socket | conformance | default');
  });
});
