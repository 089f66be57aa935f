import { describe, expect, it } from 'vitest';
import { ProgressTracker } from './progress.ts';

describe('ProgressTracker', () => {
  it('counts cells, cases and failures, and describes a cell when its last case is done', () => {
    let now = 0;
    const tracker = new ProgressTracker(() => now);
    tracker.addCell('a', 'avro | ours -> python | http | mail | http.server', 2);
    tracker.addCell('b', 'thrift | java -> ours | framed | compact | ours', 1);
    expect(tracker.statusLine()).toBe('cells 0/2 · cases 0/3 · failures 0 · 0s');
    now = 1_000;
    expect(tracker.caseDone('a', 'passed')).toBeUndefined();
    now = 75_000;
    expect(tracker.caseDone('a', 'failed')).toBe('[1/2 cells] avro | ours -> python | http | mail | http.server: 1 passed, 1 FAILED (1m15s)');
    expect(tracker.caseDone('b', 'expected-failure')).toMatch(/^\[2\/2 cells\] thrift .*: 0 passed, 1 expected failure\(s\)/);
    expect(tracker.statusLine()).toBe('cells 2/2 · cases 3/3 · failures 1 · 1m15s');
  });
});
