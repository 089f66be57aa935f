// Rendering stays linear: 30,000 cases (a full matrix over a version grid) through every view,
// with a bound generous enough for a loaded 2-core machine but far below what a quadratic step
// (a list copied per case, a filter per cell) would take at this size.
import { describe, expect, it } from 'vitest';
import type { CaseResult, Outcome, RunResults } from '../results/model.ts';
import { familyGrids, summarizeCells } from './aggregate.ts';
import { compareRuns } from './compare.ts';
import { fixtureResults } from './fixture-results.ts';
import { renderJunit } from './junit.ts';
import { renderMatrixPage } from './matrix-html.ts';
import { renderMatrixMarkdown } from './matrix-md.ts';
import { versionGrids } from './version-grid.ts';

const CASES = 30_000;
const OUTCOME_CYCLE: readonly Outcome[] = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'expected-failure', 'fail', 'skipped', 'pass'];

function bigRun(): RunResults {
  const base = fixtureResults('/tmp/x.tap');
  const results: CaseResult[] = [];
  for (let i = 0; i < CASES; i++) {
    const version = `0.${20 + (i % 5)}.0`;
    const transport = ['framed', 'buffered', 'http'][Math.floor(i / 5) % 3] as string;
    const protocol = ['binary', 'compact', 'json', 'header'][Math.floor(i / 15) % 4] as string;
    const cell = { family: i % 2 ? 'thrift' : 'avro', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python', implementation: 'ours', version, transport, protocol, socket: 'tcp', serverKind: 'simple' } as const;
    const cellId = `${cell.family}.ours-to-python.${transport}.${protocol}.simple.${version}.tcp`;
    const outcome = OUTCOME_CYCLE[i % OUTCOME_CYCLE.length] as Outcome;
    results.push({
      coordinates: { ...cell, case: `case-${Math.floor(i / 60)}` }, cellId, title: `${cellId} | case-${Math.floor(i / 60)}`, outcome, durationMs: 3, attempts: 1, logs: {},
      ...(outcome === 'skipped' ? { skipReason: 'x' } : {}),
      ...(outcome === 'fail' ? { failure: { summary: 'differs', message: 'differs\nexpected: 1\nactual:   2', wire: [{ label: 'sent', hex: '00'.repeat(200) }] } } : {}),
      ...(outcome === 'expected-failure' ? { knownFailure: { id: 'k', reason: 'r' }, failure: { summary: 's', message: 'm' } } : {}),
    });
  }
  return { ...base, results };
}

describe('rendering 30,000 cases', () => {
  it('takes seconds, not minutes', { timeout: 60_000 }, () => {
    const run = bigRun();
    const started = performance.now();
    const cells = summarizeCells(run.results);
    const grids = versionGrids(cells);
    const comparison = compareRuns(run, { ...run, results: run.results.slice(0, CASES / 2) }, 'half');
    const page = renderMatrixPage({ run, cells, versionGrids: grids, comparison });
    const md = renderMatrixMarkdown({ run, cells, versionGrids: grids, comparison });
    const junit = renderJunit(run);
    const elapsed = performance.now() - started;
    expect(familyGrids(cells, new Set(['ours']), new Set(['python'])).map((g) => g.cases)).toEqual([CASES / 2, CASES / 2]);
    expect(grids).toHaveLength(2);
    expect(comparison.added).toHaveLength(CASES / 2);
    expect(page[0]?.content.length).toBeLessThan(200_000); // the page stays small; the cases are in the data files
    expect(md.length).toBeLessThan(200_000);
    expect(junit).toHaveLength(2);
    expect(elapsed).toBeLessThan(20_000);
  });
});
