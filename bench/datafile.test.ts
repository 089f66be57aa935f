import { describe, expect, it } from 'vitest';
import type { JobResult } from '../suites/datafile/jobs.ts';
import { datafileRows, recordBatch, type DatafileResult, type DatafileSamples } from './datafile.ts';
import type { Explanation } from './explanations.ts';
import { belowOne, renderMarkdown, type BenchReport } from './report.ts';

const CODECS = ['null', 'snappy'];
const WARMUP = 2 * CODECS.length;

const done = (records: number, seconds: number, cpuSeconds?: number): JobResult =>
  ({ ok: true, error: null, records, seconds, ...(cpuSeconds !== undefined ? { cpuSeconds } : {}) });
const failed = (error: string): JobResult => ({ ok: false, error, records: 0, seconds: 0 });
/** A batch as a participant reports it: the warm-up pass (never counted), then write null, write snappy, read null, read snappy. */
const batch = (measured: readonly JobResult[]): JobResult[] => [...Array.from({ length: WARMUP }, () => done(1, 1e-6, 1e-6)), ...measured];

function measure(): { samples: DatafileSamples; errors: Map<string, string> } {
  const samples: DatafileSamples = new Map();
  const errors = new Map<string, string>();
  // Round 0: ours writes null at 1000 records/s and 2000 per CPU-second, Java at 2000/s and 500 per CPU-second.
  recordBatch(samples, errors, 'ours', 0, batch([done(1000, 1, 0.5), done(1000, 1, 1), done(1000, 1, 1), done(1000, 1, 1)]), CODECS, WARMUP);
  recordBatch(samples, errors, 'java', 0, batch([done(1000, 0.5, 2), done(1000, 1), done(1000, 1, 1), done(1000, 1, 1)]), CODECS, WARMUP);
  // Round 1: ours 4000/s and 1000 per CPU-second, Java 1000/s and 1000 per CPU-second; ours fails the snappy read.
  recordBatch(samples, errors, 'java', 1, batch([done(1000, 1, 1), done(1000, 1), done(1000, 1, 1), done(1000, 1, 1)]), CODECS, WARMUP);
  recordBatch(samples, errors, 'ours', 1, batch([done(1000, 0.25, 1), done(1000, 1, 1), done(1000, 1, 1), failed('bad block')]), CODECS, WARMUP);
  return { samples, errors };
}

describe('the data-file rows', () => {
  const { samples, errors } = measure();
  const rows = datafileRows(samples, errors, ['java'], CODECS);
  const row = (codec: string, op: string) => rows.find((r) => r.codec === codec && r.op === op);

  it('divide ours by theirs round by round, in records per second and in records per CPU-second', () => {
    const write = row('null', 'write');
    // Per round 0.5 and 4 (not the ratio of the medians, 2500 / 1500).
    expect(write?.ratio).toEqual({ min: 0.5, median: 2.25, max: 4, n: 2 });
    // Per round 2000 / 500 and 1000 / 1000.
    expect(write?.cpuRatio).toEqual({ min: 1, median: 2.5, max: 4, n: 2 });
    expect(write?.ours).toEqual({ min: 1000, median: 2500, max: 4000, n: 2 });
    expect(write?.oursPerCpuSecond).toEqual({ min: 1000, median: 1500, max: 2000, n: 2 });
    expect(write?.theirsPerCpuSecond).toEqual({ min: 500, median: 750, max: 1000, n: 2 });
  });

  it('have no cpu ratio where the peer did not report its CPU time, and still a ratio', () => {
    const write = row('snappy', 'write');
    expect(write?.ratio).toEqual({ min: 1, median: 1, max: 1, n: 2 });
    expect(write?.oursPerCpuSecond?.median).toBe(1000);
    expect(write).not.toHaveProperty('theirsPerCpuSecond');
    expect(write).not.toHaveProperty('cpuRatio');
  });

  it('leave out the warm-up pass and name a failed job, keeping the rounds that worked', () => {
    expect(row('null', 'read')?.ours?.n).toBe(2);
    const read = row('snappy', 'read');
    expect(read?.error).toBe('bad block');
    expect(read?.ratio?.n).toBe(1);
    expect(read?.cpuRatio?.n).toBe(1);
  });
});

describe('the data-file rows in the report', () => {
  const { samples, errors } = measure();
  const slow = { min: 0.5, median: 0.6, max: 0.7, n: 3 };
  const datafile: DatafileResult = {
    records: 1000, rounds: 2, seconds: 1, note: 'note',
    rows: [
      ...datafileRows(samples, errors, ['java'], CODECS),
      { codec: 'zstandard', op: 'read', peer: 'java', ratio: slow, cpuRatio: { min: 1.1, median: 1.2, max: 1.3, n: 3 } },
      { codec: 'deflate', op: 'read', peer: 'java', ratio: slow },
    ],
  };
  const report: BenchReport = {
    run: {
      started: '2026-01-01T00:00:00.000Z', finished: '', seconds: 1, mode: 'partial', git: { revision: 'x', dirty: false }, node: 'v24', cpus: 2,
      loadAverage: { start: [], end: [] }, interrupted: false, rounds: 2, durationMs: 1, warmupMs: 1, warmupWindows: 1, warmupWindowMs: 1, firstWarmupMs: 1, pinning: '', jvm: '',
    },
    peers: [], groups: [], excluded: [], notStarted: [], datafile,
  };
  const cpu: Explanation = { id: 'cpu', groups: ['*'], rows: ['ours'], cause: 'c', outside: 'o', profile: 'impls/avro-datafile/profile/README.md', checks: [{ kind: 'cpu-ratio', atLeast: 1 }] };

  it('carry the cpu ratio below 1.0, so that a cpu-ratio check can judge them', () => {
    const below = belowOne(report, [cpu]);
    expect(below.map((b) => [b.group, b.cpu, b.verdict.explainedBy])).toEqual([
      ['datafile/zstandard/read/java', 1.2, 'cpu'],
      ['datafile/deflate/read/java', undefined, undefined],
    ]);
    expect(below[1]?.verdict.notHolding).toEqual(['cpu: cpu ratio not measured']);
  });

  it('show the cpu ratio beside the ratio, "–" where it was not measured', () => {
    const lines = renderMarkdown(report).split('\n');
    const header = lines.find((l) => l.startsWith('| codec |'));
    expect(header).toContain('| ratio median (min–max) | cpu ratio median (min–max) |');
    expect(lines).toContain('| null | write | java | 2.25 (0.50–4.00) | 2.50 (1.00–4.00) | 2,500 | 1,500 | 1,500 | 750 |');
    expect(lines).toContain('| snappy | write | java | 1.00 (1.00–1.00) | – | 1,000 | 1,000 | 1,000 | – |');
  });
});
