// Where a run's time goes, measured where it is spent (the global setup builds images, the test
// workers start containers and servers) and summed by the results reporter into results.json and
// the console: image builds, container and server starts, peer client runs, cases, reporting.
// Each process appends to one file in the run directory, so no process needs another's memory.
// A shard of a sharded run keeps its file beside its blob report, with one more line for its own
// wall clock (SHARD_TIMINGS_ENV); the merge gathers the shards' files into its own run directory, so the merged
// results.json says where every shard's time went, as an unsharded run does.
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_DIR_ENV } from '../run/run-dir.ts';

export type Phase = 'images' | 'container-starts' | 'server-starts' | 'peer-client-runs' | 'reporting';

/** A shard's own wall clock, from the start of its vitest run to its end. */
export interface ShardWall {
  readonly shard: string;
  readonly wallMs: number;
}

type Line = { readonly phase: Phase; readonly ms: number } | ShardWall;

function file(dir = process.env[RUN_DIR_ENV]): string | undefined {
  return dir ? join(dir, 'timings.ndjson') : undefined;
}

function lines(dir?: string): Line[] {
  const path = file(dir);
  if (!path || !existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Line);
}

/** Adds ms to a phase of the current run (no-op outside a run). */
export function recordPhase(phase: Phase, ms: number): void {
  const path = file();
  if (path) appendFileSync(path, `${JSON.stringify({ phase, ms: Math.round(ms) })}\n`);
}

/** Milliseconds per phase, summed over every process of the run. */
export function readPhases(dir?: string): Partial<Record<Phase, number>> {
  const totals: Partial<Record<Phase, number>> = {};
  for (const line of lines(dir)) {
    if ('phase' in line) totals[line.phase] = (totals[line.phase] ?? 0) + line.ms;
  }
  return totals;
}

/** The wall clock of every shard a merged run was made of (none for a run in one go). */
export function readShardWalls(dir?: string): ShardWall[] {
  return lines(dir).filter((line): line is ShardWall => 'shard' in line);
}

/**
 * Set for a shard's run: where its timings are kept (beside its blob report). The global setup's
 * teardown copies the phases there before it removes the run directory (a shard has no results
 * reporter to read them), and the supervisor adds the shard's wall clock when vitest has ended.
 */
export const SHARD_TIMINGS_ENV = 'CONFORMANCE_SHARD_TIMINGS';

/** A shard's phases, copied to where the shard keeps them before its run directory goes. */
export function keepShardPhases(runDir: string, path: string): void {
  const own = file(runDir);
  if (own && existsSync(own)) copyFileSync(own, path);
}

/** A shard's wall clock, added to its kept timings. */
export function keepShardWall(path: string, wall: ShardWall): void {
  appendFileSync(path, `${JSON.stringify(wall)}\n`);
}

/** The suffix of a shard's kept timings in a blob folder (not `.json`: vitest's merge reads every `.json` there as a blob). */
export const SHARD_TIMINGS_SUFFIX = '.timings.ndjson';

/** Gathers every shard's kept timings of a blob folder into the merging run's directory. */
export function gatherShardTimings(blobFolder: string, runDir: string): number {
  const kept = readdirSync(blobFolder).filter((f) => f.endsWith(SHARD_TIMINGS_SUFFIX)).sort();
  for (const name of kept) appendFileSync(join(runDir, 'timings.ndjson'), readFileSync(join(blobFolder, name)));
  return kept.length;
}

/** What timeByCase reads of a case result. */
export interface TimedCase {
  readonly coordinates: { readonly family: string; readonly case: string };
  readonly durationMs: number;
}

/**
 * One line: the case ids whose cases took the most time, each summed over every cell that ran
 * it, with how many cells. The phases say how much of a run is cases; this says which: a timeout a
 * case waits out by design, or a large value through a slow protocol, shows here by name.
 */
export function timeByCase(results: readonly TimedCase[], most = 5): string {
  const sums = new Map<string, { ms: number; cells: number }>();
  for (const r of results) {
    const key = `${r.coordinates.family} ${r.coordinates.case}`;
    const sum = sums.get(key) ?? { ms: 0, cells: 0 };
    sum.ms += r.durationMs;
    sum.cells++;
    sums.set(key, sum);
  }
  const top = [...sums].sort((a, b) => b[1].ms - a[1].ms || a[0].localeCompare(b[0])).slice(0, most);
  if (top.length === 0) return 'time by case: (no cases)';
  return `time by case, summed over its cells: ${top.map(([key, s]) => `${key} ${(s.ms / 1000).toFixed(1)} s (${s.cells} cell${s.cells === 1 ? '' : 's'})`).join(', ')}`;
}

/** The two clocks read at one moment: real-time (what the peers stamp with) and monotonic. */
export interface ClockReading {
  readonly wallMs: number;
  readonly monoMs: number;
}

export function readClocks(): ClockReading {
  return { wallMs: Date.now(), monoMs: performance.now() };
}

/**
 * A line when the real-time clock moved against the monotonic one by a second or more between two
 * readings (a step: a VM resumed, time set by a daemon), else undefined. Case windows and stall
 * notes compare real-time stamps across processes; a CI run on 2026-12-01 failed 21 cases so, with
 * nothing in its output to say why (case windows are cut on the monotonic clock since:
 * impls/wire/monotonic-clock.ts).
 */
export function clockStepLine(from: ClockReading, to: ClockReading): string | undefined {
  const stepMs = to.wallMs - from.wallMs - (to.monoMs - from.monoMs);
  if (Math.abs(stepMs) < 1_000) return undefined;
  const by = `${stepMs > 0 ? '+' : '-'}${(Math.abs(stepMs) / 1000).toFixed(1)} s`;
  return `the real-time clock was stepped during this run (${by} against the monotonic clock): a failure that compares time stamps across processes may come from it; failing cases name a step within their span`;
}
