import { describe, expect, it } from 'vitest';
import type { CaseCoordinates } from '../matrix/axes.ts';
import type { KnownFailure } from '../matrix/known-failures.ts';
import { judge, unmatchedEntries } from './gate.ts';
import type { CaseResult, Outcome } from './model.ts';

const coordinates: CaseCoordinates = {
  family: 'thrift', direction: 'ts-server', client: 'java', server: 'ours', peer: 'java',
  version: '1.0.0', socket: 'tcp', implementation: 'ours', transport: 'framed', protocol: 'compact', serverKind: 'ours', case: 'echo-i64',
};

function result(outcome: Outcome, extra: Partial<CaseResult> = {}): CaseResult {
  return { coordinates, cellId: 'c', title: 't', outcome, durationMs: 1, attempts: 1, logs: {}, ...extra };
}

const matching: KnownFailure = { id: 'java-i64', match: { peer: 'java', case: 'echo-*' }, reason: 'r', evidence: 'e' };
const elsewhere: KnownFailure = { id: 'py-only', match: { peer: 'python' }, reason: 'gone', evidence: 'e' };

describe('the known-failure gate', () => {
  it('passes a run of passes, expected failures and skips', () => {
    expect(judge([result('pass'), result('expected-failure'), result('skipped', { skipReason: 'x' })], [], [])).toEqual({ ok: true, problems: [] });
  });

  it('fails on failures, timeouts and unexpected passes, naming the stale entry and its reason', () => {
    const verdict = judge([
      result('fail', { failure: { summary: 'boom', message: 'boom' } }),
      result('timeout'),
      result('unexpected-pass', { knownFailure: { id: 'java-i64', reason: 'java loses precision' } }),
    ], [], []);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toHaveLength(3);
    expect(verdict.problems[2]).toContain('"java-i64"');
    expect(verdict.problems[2]).toContain('java loses precision');
  });

  it('reports entries that matched no case as stale', () => {
    const stale = unmatchedEntries([result('expected-failure')], [matching, elsewhere], [{ id: 'flaky-x', match: { case: 'nope' }, reason: 'slow' }]);
    expect(stale.map((s) => s.id)).toEqual(['py-only', 'flaky-x']);
    const verdict = judge([], stale, []);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems[0]).toContain('STALE ENTRY "py-only"');
  });

  it('leaves entries about some releases unjudged for lack of a match unless the run covered every release (the default), and judges the others always', () => {
    const old = { id: 'py-old', match: { peer: 'python', case: 'x' }, versions: '<1.12.2', reason: 'old releases only', evidence: 'bytes' };
    const pinned = { id: 'py-pinned', match: { peer: 'python', version: '1.11.5' }, reason: 'one release only', evidence: 'bytes' };
    expect(unmatchedEntries([result('expected-failure')], [old, pinned, elsewhere], [], false).map((s) => s.id)).toEqual(['py-only']);
    expect(unmatchedEntries([result('expected-failure')], [old, pinned], [], true).map((s) => s.id)).toEqual(['py-old', 'py-pinned']);
    expect(unmatchedEntries([result('expected-failure')], [old, pinned], []).map((s) => s.id)).toEqual(['py-old', 'py-pinned']); // a full run unless told
  });

  it('fails on errors outside any test', () => {
    expect(judge([], [], ['worker crashed\nstack']).problems).toEqual(['ERROR outside any test: worker crashed']);
  });
});

describe('the gate\'s words', () => {
  it('names each problem with the case title and the failure summary', () => {
    const verdict = judge([
      result('fail', { title: 'avro | a -> b | fails', failure: { summary: 'response differs', message: 'm' } }),
      result('timeout', { title: 'avro | a -> b | hangs', failure: { summary: 'no answer in 60 s', message: 'm' } }),
      result('fail', { title: 'avro | a -> b | no-detail' }),
    ], [], []);
    expect(verdict.problems).toEqual([
      'FAIL avro | a -> b | fails: response differs',
      'TIMEOUT avro | a -> b | hangs: no answer in 60 s',
      'FAIL avro | a -> b | no-detail: ',
    ]);
  });

  it('names the file of a stale entry, and keeps entries that matched some case', () => {
    const stale = unmatchedEntries([result('expected-failure'), result('pass', { coordinates: { ...coordinates, peer: 'python' } })],
      [matching, elsewhere], [{ id: 'flaky-x', match: { case: 'nope' }, reason: 'slow' }]);
    expect(stale).toEqual([{ file: 'suites/known-flaky.json', id: 'flaky-x', reason: 'slow' }]);
    const all = unmatchedEntries([result('pass', { coordinates: { ...coordinates, peer: 'go' } })], [matching], []);
    expect(all).toEqual([{ file: 'suites/known-failures.json', id: 'java-i64', reason: 'r' }]);
  });
});
