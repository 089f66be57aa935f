// A run split into shards (CI jobs side by side, each `run --shard i/n` leaving a blob report) and
// merged (`report --merge`) must give the same results as the same run in one go: the same cases,
// outcomes, known failures and gate verdict. Only what differs by nature is left out of the
// comparison (run ids, clocks, durations, container ids, and the text of failures, see below).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { RunResults } from '../../harness/results/model.ts';
import { cli, FILTERED, reportsFolder } from './nested-run.ts';

const SELECTION = ['--family', 'avro', '--peer', 'python', '--case', 'echo-int-*'];

function comparable(run: RunResults): unknown {
  const { runId: _id, startedAt: _s, finishedAt: _f, durationMs: _d, timing: _t, shard: _sh, ...info } = run.run;
  return {
    run: { ...info, full: undefined },
    gate: run.gate,
    references: run.references,
    implementations: run.implementations,
    results: [...run.results]
      // What a verdict is made of. A failure's text is not compared: a third-party library may fail
      // the same known way with another message (avsc 5: 'interrupted' or 'incompatible protocol'
      // as the handshake races), and wire labels name ephemeral ports.
      .map((r) => ({
        title: r.title, cellId: r.cellId, coordinates: r.coordinates, outcome: r.outcome,
        knownFailure: r.knownFailure?.id, skipReason: r.skipReason, failed: r.failure !== undefined,
      }))
      .sort((a, b) => a.title.localeCompare(b.title)),
  };
}

function results(folder: string): RunResults {
  return JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as RunResults;
}

describe.skipIf(!inject('conformance').docker || FILTERED)('a sharded run', { timeout: 900_000 }, () => {
  it('merged from its shards equals the same run in one go', async () => {
    const whole = reportsFolder('unsharded');
    const one = await cli(['run', ...SELECTION], whole);
    expect(one.exitCode, one.all).toBe(0);

    const sharded = reportsFolder('sharded');
    for (const shard of ['1/2', '2/2']) {
      const part = await cli(['run', ...SELECTION, '--shard', shard], sharded);
      expect(part.exitCode, part.all).toBe(0);
    }
    expect(readdirSync(join(sharded, 'blob')).sort()).toEqual([
      'shard-1-of-2.json', 'shard-1-of-2.run.json', 'shard-1-of-2.timings.ndjson',
      'shard-2-of-2.json', 'shard-2-of-2.run.json', 'shard-2-of-2.timings.ndjson',
    ]);
    const merged = await cli(['report', '--merge', join(sharded, 'blob')], sharded);
    expect(merged.exitCode, merged.all).toBe(0);

    expect(results(whole).results.length).toBeGreaterThan(10);
    expect(comparable(results(sharded))).toEqual(comparable(results(whole)));

    // The merged run says where its shards' time went, as the run in one go does for itself.
    const timing = results(sharded).run.timing ?? {};
    expect(timing.containerStartsMs, JSON.stringify(timing)).toBeGreaterThan(0);
    expect(timing.longestShardWallMs, JSON.stringify(timing)).toBeGreaterThan(0);
    expect(timing.shardsWallMs, JSON.stringify(timing)).toBeGreaterThanOrEqual(timing.longestShardWallMs ?? Number.POSITIVE_INFINITY);
    expect(results(whole).run.timing?.longestShardWallMs).toBeUndefined();
  });
});
