import { describe, expect, it } from 'vitest';
import type { CaseResult, RunResults } from '../results/model.ts';
import { compareRuns, comparisonConsoleLines } from './compare.ts';
import { fixtureBaseline, fixtureResults } from './fixture-results.ts';

const current = fixtureResults('/tmp/x.tap');
const baseline = fixtureBaseline('/tmp/x.tap');
const cases = (list: readonly { case: string }[]): string[] => list.map((c) => c.case);

describe('compareRuns', () => {
  it('sorts every case into new failure, fixed, new, removed, other change or unchanged', () => {
    const cmp = compareRuns(current, baseline, 'base.json');
    expect(cases(cmp.newFailures)).toEqual(['mail-send-unicode']);
    expect(cmp.newFailures[0]).toMatchObject({ from: 'pass', to: 'fail', cellId: 'avro.ours-to-python.http.mail.http-server' });
    expect(cases(cmp.fixed)).toEqual(['echo-i32']);
    expect(cases(cmp.added).sort()).toEqual(['double-nan', 'double-nan', 'echo-i32', 'echo-i32', 'echo-labels', 'echo-labels']);
    expect(cases(cmp.removed)).toEqual(['mail-send-retired']);
    expect(cmp.otherChanges).toMatchObject([{ case: 'ping', from: 'fail', to: 'expected-failure' }]);
    expect(cmp.unchanged).toBe(7);
    expect(cmp.baseline).toMatchObject({ source: 'base.json', startedAt: '2026-01-01T00:00:00.000Z', cases: 11 });
  });

  it('matches cases on the axes both runs have, so a new axis does not make every case new', () => {
    const versioned: RunResults = { ...current, results: current.results.map((r) => ({ ...r, coordinates: { ...r.coordinates, socket: 'tcp' } })) };
    const cmp = compareRuns(versioned, baseline, 'base.json');
    expect(cmp.axes).not.toContain('socket');
    expect(cmp.added).toHaveLength(6);
    expect(cmp.unchanged).toBe(7);
  });

  it('counts as removed only the baseline cases the current run selected', () => {
    const narrowed: RunResults = {
      ...current, run: { ...current.run, full: false, filter: { family: 'thrift' } },
      results: current.results.filter((r) => r.coordinates.family === 'thrift'),
    };
    expect(compareRuns(narrowed, baseline, 'b').removed).toEqual([]);
    const globbed: RunResults = { ...current, run: { ...current.run, full: false, caseGlob: 'mail-*' }, results: current.results.filter((r) => r.coordinates.case.startsWith('mail-')) };
    expect(cases(compareRuns(globbed, baseline, 'b').removed)).toEqual(['mail-send-retired']);
  });

  it('warns that removed may mean not reached when the run was interrupted', () => {
    const interrupted: RunResults = { ...current, run: { ...current.run, vitestState: 'interrupted', interrupted: { reason: 'Ctrl-C' } } };
    const cmp = compareRuns(interrupted, baseline, 'b');
    expect(cmp.removedNote).toMatch(/interrupted/);
    expect(comparisonConsoleLines(cmp).at(-1)).toMatch(/interrupted/);
    expect(compareRuns(current, baseline, 'b').removedNote).toBeUndefined();
  });

  it('lists at most the given number per kind on the console, and says how many more', () => {
    const many: CaseResult[] = Array.from({ length: 15 }, (_, i) => ({ ...current.results[0] as CaseResult, coordinates: { ...(current.results[0] as CaseResult).coordinates, case: `extra-${i}` } }));
    const lines = comparisonConsoleLines(compareRuns({ ...current, results: [...current.results, ...many] }, baseline, 'b'), 10);
    expect(lines.filter((l) => l.startsWith('  new case:'))).toHaveLength(10);
    expect(lines).toContain('  ... and 11 more new case line(s): matrix.md, matrix.html');
  });
});
