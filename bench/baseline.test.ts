import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBaseline, failedGroups, writeBaseline } from './baseline.ts';
import type { GroupResult, RowResult } from './measure.ts';
import type { BenchReport } from './report.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const summary = (median: number) => ({ min: median, median, max: median, n: 3 });

function row(name: string, kind: RowResult['kind'], impl: string, ratio?: number, cpuRatio?: number): RowResult {
  return { name, kind, impl, connections: 1, inflightPerConnection: 1, ...(ratio !== undefined ? { ratio: summary(ratio) } : {}), ...(cpuRatio !== undefined ? { cpuRatio: summary(cpuRatio) } : {}) };
}

function groups(ratios: { client?: [number, number]; server?: [number, number] }, error?: string): GroupResult[] {
  return [...report(ratios, error).groups];
}

function report(ratios: { client?: [number, number]; server?: [number, number] }, error?: string): BenchReport {
  const group: GroupResult = {
    id: 'thrift/framed/binary/int/1/java', family: 'thrift', transport: 'framed', protocol: 'binary', payload: 'int', inflight: 1, peer: 'java', pinned: true, measurements: [],
    rows: [
      row('java client → java server', 'reference', 'java'),
      ratios.client ? row('ours client', 'client', 'ours', ...ratios.client) : { ...row('ours client', 'client', 'ours'), ...(error ? { error } : {}) },
      ...(ratios.server ? [row('ours server', 'server', 'ours', ...ratios.server)] : []),
      row('npm-thrift client', 'client', 'npm-thrift', 0.01, 0.01),
    ],
  };
  return {
    run: {
      started: '2026-01-01T00:00:00.000Z', finished: '', seconds: 1, mode: 'quick', git: { revision: 'x', dirty: false }, node: 'v24', cpus: 2,
      loadAverage: { start: [], end: [] }, interrupted: false, rounds: 3, durationMs: 1, warmupMs: 1, warmupWindows: 1, warmupWindowMs: 1, firstWarmupMs: 1, pinning: '', jvm: '',
    },
    peers: [], groups: [group], excluded: [], notStarted: [],
  };
}

describe('the quick baseline', () => {
  const path = join(dir, 'baseline.json');
  writeBaseline(path, report({ client: [0.8, 0.6], server: [1.2, 1] }), report({ client: [1, 0.7], server: [1.4, 1.1] }), report({ client: [0.9, 0.5], server: [1, 0.9] }));

  it('keeps, per row of ours, the median of the runs\' best rounds (libraries are not checked)', () => {
    const written = JSON.parse(readFileSync(path, 'utf8')) as { rows: Record<string, unknown> };
    expect(written.rows).toEqual({
      'thrift/framed/binary/int/1/java ours client': { ratio: 0.9, cpuRatio: 0.6 },
      'thrift/framed/binary/int/1/java ours server': { ratio: 1.2, cpuRatio: 1 },
    });
  });

  it('passes a run within the tolerances, even at half the baseline ratios', () => {
    const check = checkBaseline(path, groups({ client: [0.45, 0.3], server: [0.6, 0.5] }));
    expect(check.ok).toBe(true);
    expect(check.checks.map((c) => c.ok)).toEqual([true, true]);
  });

  it('fails a row whose rate ratio collapses, or whose CPU ratio falls far below the baseline', () => {
    const wall = checkBaseline(path, groups({ client: [0.1, 0.6], server: [1.2, 1] }));
    expect(wall.ok).toBe(false);
    expect(wall.checks.find((c) => !c.ok)?.reason).toMatch(/best round's ratio 0\.10 is below 0\.18/);
    expect(failedGroups(wall)).toEqual(['thrift/framed/binary/int/1/java']);
    const cpu = checkBaseline(path, groups({ client: [0.9, 0.6], server: [1.2, 0.2] }));
    expect(cpu.checks.find((c) => !c.ok)?.reason).toMatch(/best round's CPU ratio 0\.20 is below 0\.30/);
  });

  it('fails a row that was not measured, with the error that stopped it', () => {
    const check = checkBaseline(path, groups({ server: [1.2, 1] }, 'connection refused'));
    expect(check.ok).toBe(false);
    expect(check.checks.find((c) => !c.ok)?.reason).toBe('not measured: connection refused');
  });
});
