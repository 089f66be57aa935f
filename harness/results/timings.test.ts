import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clockStepLine, gatherShardTimings, keepShardPhases, keepShardWall, readPhases, readShardWalls, SHARD_TIMINGS_SUFFIX, timeByCase } from './timings.ts';

function keepShardTimings(runDir: string, path: string, wall: { shard: string; wallMs: number }): void {
  keepShardPhases(runDir, path);
  keepShardWall(path, wall);
}

const made: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'timings-test-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function shardRun(phases: string): string {
  const dir = folder();
  writeFileSync(join(dir, 'timings.ndjson'), phases);
  return dir;
}

describe('phase timings', () => {
  it('sums each phase over every line a run wrote', () => {
    const dir = shardRun('{"phase":"container-starts","ms":100}\n{"phase":"images","ms":7}\n{"phase":"container-starts","ms":50}\n');
    expect(readPhases(dir)).toEqual({ 'container-starts': 150, images: 7 });
    expect(readShardWalls(dir)).toEqual([]);
  });

  it('reads nothing when the run wrote no timings', () => {
    expect(readPhases(folder())).toEqual({});
  });

  it('gives a merge every shard\'s phases summed and each shard\'s wall clock', () => {
    const blobs = folder();
    keepShardTimings(shardRun('{"phase":"container-starts","ms":100}\n'), join(blobs, `shard-1-of-2${SHARD_TIMINGS_SUFFIX}`), { shard: '1/2', wallMs: 9_000 });
    keepShardTimings(shardRun('{"phase":"container-starts","ms":30}\n{"phase":"server-starts","ms":4}\n'),
      join(blobs, `shard-2-of-2${SHARD_TIMINGS_SUFFIX}`), { shard: '2/2', wallMs: 7_000 });
    writeFileSync(join(blobs, 'shard-1-of-2.json'), '{}');

    const merge = folder();
    expect(gatherShardTimings(blobs, merge)).toBe(2);
    expect(readPhases(merge)).toEqual({ 'container-starts': 130, 'server-starts': 4 });
    expect(readShardWalls(merge)).toEqual([{ shard: '1/2', wallMs: 9_000 }, { shard: '2/2', wallMs: 7_000 }]);
  });

  it('keeps a shard\'s wall clock even when its run recorded no phase (it was interrupted before any cell)', () => {
    const blobs = folder();
    const empty = folder();
    mkdirSync(join(empty, 'plans'));
    keepShardTimings(empty, join(blobs, `shard-1-of-1${SHARD_TIMINGS_SUFFIX}`), { shard: '1/1', wallMs: 12 });
    expect(readdirSync(blobs)).toEqual([`shard-1-of-1${SHARD_TIMINGS_SUFFIX}`]);
    const merge = folder();
    gatherShardTimings(blobs, merge);
    expect(readShardWalls(merge)).toEqual([{ shard: '1/1', wallMs: 12 }]);
  });
});

describe('time by case', () => {
  const timed = (family: string, id: string, durationMs: number) => ({ coordinates: { family, case: id }, durationMs });

  it('names the case ids that took the most time, each summed over its cells, the largest first', () => {
    const line = timeByCase([
      timed('thrift', 'binary-1mib', 4000), timed('thrift', 'ping', 3), timed('thrift', 'binary-1mib', 2500),
      timed('avro', 'ping', 900), timed('thrift', 'ping', 4), timed('thrift', 'client-timeout', 1000),
    ], 3);
    expect(line).toBe('time by case, summed over its cells: thrift binary-1mib 6.5 s (2 cells), thrift client-timeout 1.0 s (1 cell), avro ping 0.9 s (1 cell)');
  });

  it('orders case ids of equal time by name, so the line is the same from run to run', () => {
    expect(timeByCase([timed('thrift', 'b', 10), timed('avro', 'z', 10), timed('thrift', 'a', 10)], 2)).toBe('time by case, summed over its cells: avro z 0.0 s (1 cell), thrift a 0.0 s (1 cell)');
  });

  it('says so when there is no case', () => {
    expect(timeByCase([])).toBe('time by case: (no cases)');
  });
});

describe('the line about a step of the real-time clock', () => {
  const start = { wallMs: 1_700_000_000_000, monoMs: 5_000 };

  it('says nothing while the two clocks run together, within a second', () => {
    expect(clockStepLine(start, { wallMs: start.wallMs + 60_000, monoMs: start.monoMs + 60_000 })).toBeUndefined();
    expect(clockStepLine(start, { wallMs: start.wallMs + 60_900, monoMs: start.monoMs + 60_000 })).toBeUndefined();
  });

  it('says by how much the real-time clock was stepped, forward or back', () => {
    expect(clockStepLine(start, { wallMs: start.wallMs + 70_000, monoMs: start.monoMs + 60_000 })).toContain('stepped during this run (+10.0 s against the monotonic clock)');
    expect(clockStepLine(start, { wallMs: start.wallMs + 57_000, monoMs: start.monoMs + 60_000 })).toContain('(-3.0 s against');
  });
});
