import { describe, expect, it } from 'vitest';
import { parseJobResults } from './jobs.ts';
import { runOurJobs } from './ours.ts';

describe('parseJobResults (the peers\' `datafile batch` result lines)', () => {
  it('keeps cpuSeconds beside seconds, and leaves it out for a peer that does not report it', () => {
    const stdout = [
      '{"job": 1, "ok": true, "error": null, "records": 5000, "seconds": 0.5}',
      'a stray line of the peer',
      '{"job": 0, "ok": true, "error": null, "records": 4000, "seconds": 0.25, "cpuSeconds": 0.4}',
    ].join('\n');
    const [first, second] = parseJobResults(stdout, 2, 'exit 0');
    expect(first).toEqual({ ok: true, error: null, records: 4000, seconds: 0.25, cpuSeconds: 0.4 });
    expect(second).toEqual({ ok: true, error: null, records: 5000, seconds: 0.5 });
    expect(second).not.toHaveProperty('cpuSeconds');
  });

  it('drops a cpuSeconds that is not a finite number at least zero, keeping the rest of the line', () => {
    const lines = ['"0.4"', '-1', 'null', '1e999'].map((cpu, job) => `{"job": ${job}, "ok": true, "error": null, "records": 1, "seconds": 1, "cpuSeconds": ${cpu}}`);
    for (const result of parseJobResults(lines.join('\n'), 4, 'exit 0')) {
      expect(result).toEqual({ ok: true, error: null, records: 1, seconds: 1 });
    }
  });

  it('reports a job without a line as failed, with the reason', () => {
    const [result] = parseJobResults('{"job": 7, "ok": true}\n{not json', 1, 'exit 1: boom');
    expect(result).toEqual({ ok: false, error: 'no result reported: exit 1: boom', records: 0, seconds: 0 });
  });
});

describe('runOurJobs', () => {
  it('reports the CPU time of each job beside its wall time, a failed job too', () => {
    const [result] = runOurJobs([{ op: 'read', in: '/nonexistent/bench-dfcpu.avro', out: '/nonexistent/out.jsonl', discard: true }]).results;
    expect(result?.ok).toBe(false);
    expect(typeof result?.cpuSeconds).toBe('number');
    expect(result?.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(result?.cpuSeconds)).toBe(true);
  });
});
