// An implementation that lives outside impls/ plugs in through the documented contract alone:
// the CLI is pointed at examples/out-of-tree-adapter/adapter.ts by path, runs it against the real
// Python Avro peer, and the results carry its id, in every report, like any in-tree row. It uses the
// mail protocol: the adapter is built on avsc 5, which refuses Python's copy of conformance.avpr
// (python-avro-drops-one-way-avsc5-rejects), and a known failure names the implementation it was
// seen with, not every adapter that builds on the same library.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { RunResults } from '../../harness/results/model.ts';
import { cli, FILTERED, reportsFolder } from './nested-run.ts';

describe.skipIf(!inject('conformance').docker || FILTERED)('an out-of-tree implementation adapter', { timeout: 600_000 }, () => {
  it('runs end to end against the Python peer through `run --implementation <path>`', async () => {
    const reports = reportsFolder('out-of-tree');
    const run = await cli(['run', '--implementation', 'examples/out-of-tree-adapter/adapter.ts', '--peer', 'python', '--protocol', 'mail'], reports);
    expect(run.exitCode, run.all).toBe(0);
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as RunResults;
    expect(results.implementations.map((i) => i.id)).toEqual(['example-avsc-http']);
    expect(results.implementations[0]?.source).toMatch(/examples\/out-of-tree-adapter\/adapter\.ts$/);
    const mine = results.results.filter((r) => r.coordinates.implementation === 'example-avsc-http');
    expect(mine.length).toBe(9);
    expect(mine.every((r) => r.coordinates.direction === 'ts-client' && r.coordinates.transport === 'http' && r.coordinates.peer === 'python')).toBe(true);
    expect(mine.filter((r) => r.outcome === 'pass').length, JSON.stringify(mine.filter((r) => r.outcome !== 'pass').map((r) => `${r.title}: ${r.outcome}`))).toBeGreaterThanOrEqual(7);
    const junit = readFileSync(join(reports, 'junit', 'conformance-avro.xml'), 'utf8');
    expect(junit).toContain('example-avsc-http -&gt; python@');
  });
});
