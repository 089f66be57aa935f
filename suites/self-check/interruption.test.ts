// A run stopped half-way (Ctrl-C, or SIGTERM from a CI job being cancelled) must leave nothing
// behind and must not look like any other run: its containers are removed and its reports say it
// was interrupted, with the cases that had finished.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { LABEL_RUN } from '../../harness/docker/containers.ts';
import type { RunResults } from '../../harness/results/model.ts';
import { cli, FILTERED, reportsFolder } from './nested-run.ts';

async function containersOf(runId: string): Promise<number> {
  const listed = await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL_RUN}=${runId}`], { reject: false });
  return String(listed.stdout).split('\n').filter(Boolean).length;
}

/** Waits until the run has recorded at least one case (its journal exists and is not empty). */
async function firstCase(reports: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const dir = join(reports, '.journal');
    if (existsSync(dir)) {
      const { readdirSync, statSync } = await import('node:fs');
      if (readdirSync(dir).some((f) => statSync(join(dir, f)).size > 0)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the run recorded no case in time');
}

describe.skipIf(!inject('conformance').docker || FILTERED)('a run that is interrupted', { timeout: 600_000 }, () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`by ${signal} half-way: exits 130, removes its containers, and its reports say it was interrupted`, async () => {
      const reports = reportsFolder(`interrupted-${signal}`);
      const run = cli(['run', '--family', 'avro', '--peer', 'java', '--direction', 'ts-client'], reports);
      await firstCase(reports, Date.now() + 300_000);
      run.kill(signal);
      const ended = await run;
      expect(ended.exitCode, ended.all).toBe(130);
      const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as RunResults;
      expect(results.run.vitestState).toBe('interrupted');
      expect(results.gate.ok).toBe(false);
      expect(results.gate.problems.join('\n')).toMatch(new RegExp(`interrupted by ${signal}`));
      expect(results.results.length).toBeGreaterThan(0);
      expect(readFileSync(join(reports, 'matrix.md'), 'utf8')).toMatch(/interrupted/i);
      expect(await containersOf(results.run.runId ?? '')).toBe(0);
    });
  }
});
