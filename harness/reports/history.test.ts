import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HISTORY_DIR, HISTORY_KEEP, historyName, keepRun, previousRun, readBaseline } from './history.ts';
import { scratchDirectory } from '../run/scratch.ts';

const run = (startedAt: string): string => JSON.stringify({ schema: 1, run: { startedAt }, results: [] });

describe('reports/history', () => {
  it('keeps each run once, the newest few, and finds the run before a given one', () => {
    const dir = scratchDirectory('conformance-history-');
    const starts = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z', '2026-01-05T00:00:00.000Z'];
    for (const start of starts) keepRun(dir, start, run(start));
    keepRun(dir, starts[4] as string, run(starts[4] as string));
    const kept = readdirSync(join(dir, HISTORY_DIR)).sort();
    expect(kept).toEqual(starts.slice(-HISTORY_KEEP).map(historyName));
    expect(previousRun(dir, starts[4] as string)).toBe(`${HISTORY_DIR}/${historyName(starts[3] as string)}`);
    expect(previousRun(dir, starts[2] as string)).toBeUndefined(); // older ones were removed
    expect(previousRun(scratchDirectory('conformance-history-'), starts[0] as string)).toBeUndefined();
    expect(readBaseline(join(dir, previousRun(dir, starts[4] as string) as string)).run.startedAt).toBe(starts[3]);
  });

  it('reads plain and gzip results files, and refuses what is not one', () => {
    const dir = scratchDirectory('conformance-history-');
    writeFileSync(join(dir, 'plain.json'), run('2026-01-01T00:00:00.000Z'));
    writeFileSync(join(dir, 'packed.bin'), gzipSync(run('2026-01-02T00:00:00.000Z')));
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
    expect(readBaseline(join(dir, 'plain.json')).run.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(readBaseline(join(dir, 'packed.bin')).run.startedAt).toBe('2026-01-02T00:00:00.000Z');
    expect(() => readBaseline(join(dir, 'other.json'))).toThrow(/not a results\.json/);
    expect(existsSync(join(dir, HISTORY_DIR))).toBe(false);
  });
});
