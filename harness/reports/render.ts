// Renders every report from reports/results.json alone: the gate's JUnit (junit/), the peer
// clients' TAP as JUnit (tap-junit/), matrix.md, matrix.html with its per-family data
// (matrix-data/), and the index; compares the run with a baseline (--baseline, or the previous
// run kept in history/) and keeps this run there for the next comparison. Used by the vitest
// reporter after a run and by `conformance report`.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readResults, resultsFile } from '../results/files.ts';
import type { RunResults } from '../results/model.ts';
import { summarizeCells } from './aggregate.ts';
import { compareRuns, comparisonConsoleLines, type Comparison } from './compare.ts';
import { BASELINE_ENV, keepRun, previousRun, readBaseline } from './history.ts';
import { GATE_JUNIT_DIR, renderJunit, type RenderedFile } from './junit.ts';
import { renderMatrixPage } from './matrix-html.ts';
import { renderMatrixMarkdown } from './matrix-md.ts';
import { DATA_DIR } from './page-data.ts';
import { indexEntries, renderIndexMarkdown } from './report-index.ts';
import { convertTapFiles, EVIDENCE_JUNIT_DIR } from './tap-junit.ts';
import { UNIT_JUNIT } from './unit-junit.ts';
import { versionGrids } from './version-grid.ts';

export interface RenderOptions {
  /** A results.json (or .json.gz) to compare with. Default: $CONFORMANCE_BASELINE, else the newest earlier run in history/. */
  readonly baseline?: string;
  /** Where the comparison's lines go (the console). Default: stderr, prefixed "conformance: ". */
  readonly log?: (line: string) => void;
}

function write(dir: string, file: RenderedFile): string {
  const path = join(dir, file.path);
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename: a reader never sees half a file.
  writeFileSync(`${path}.partial`, file.content);
  renameSync(`${path}.partial`, path);
  return file.path;
}

/** Generated folders hold only this render's files; junit/unit.xml is the reporter's and stays. */
function clearGenerated(dir: string): void {
  for (const folder of [GATE_JUNIT_DIR, EVIDENCE_JUNIT_DIR, DATA_DIR]) {
    const path = join(dir, folder);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path)) {
      if (`${folder}/${name}` !== UNIT_JUNIT) rmSync(join(path, name), { recursive: true, force: true });
    }
  }
}

interface Baseline {
  readonly comparison?: Comparison;
  readonly problem?: string;
  /** A baseline asked for by name that could not be read: the render fails after writing everything. */
  readonly fatal?: boolean;
}

function compareWithBaseline(dir: string, run: RunResults, asked: string | undefined): Baseline {
  const path = asked ?? previousRun(dir, run.run.startedAt);
  if (!path) return {};
  const absolute = isAbsolute(path) ? path : asked ? resolve(path) : join(dir, path);
  try {
    return { comparison: compareRuns(run, readBaseline(absolute), asked ? absolute : `reports/${path}`) };
  } catch (error) {
    return { problem: `baseline ${absolute}: ${error instanceof Error ? error.message : String(error)}`, fatal: asked !== undefined };
  }
}

/**
 * Returns the paths written, relative to dir. Throws (after writing everything it could) when a
 * TAP file could not be converted or a baseline given by name could not be read. Everything else
 * in dir is left alone and indexed as found, notably screenshots/, which the browser tests write
 * earlier in the same `npm test` and nothing here can re-create.
 */
export async function renderAll(dir: string, options: RenderOptions = {}): Promise<string[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`conformance: ${line}\n`));
  const file = resultsFile(dir);
  const run = readResults(file);
  const asked = options.baseline ?? (process.env[BASELINE_ENV] || undefined);
  const baseline = compareWithBaseline(dir, run, asked);
  keepRun(dir, run.run.startedAt, readFileSync(file, 'utf8'));
  clearGenerated(dir);
  const cells = summarizeCells(run.results);
  const grids = versionGrids(cells);
  const view = {
    run, cells, versionGrids: grids,
    ...(baseline.comparison ? { comparison: baseline.comparison } : {}),
    ...(baseline.problem ? { comparisonProblem: baseline.problem } : {}),
  };
  const written = [
    ...renderJunit(run).map((f) => write(dir, f)),
    write(dir, { path: 'matrix.md', content: renderMatrixMarkdown(view) }),
    ...renderMatrixPage(view).map((f) => write(dir, f)),
  ];
  const conversions = convertTapFiles(run, dir);
  written.push(...conversions.flatMap((c) => (c.junit ? [c.junit] : [])));
  const entries = indexEntries(dir);
  written.push(write(dir, { path: 'index.json', content: `${JSON.stringify({ generatedFrom: 'results.json', files: entries }, null, 2)}\n` }));
  written.push(write(dir, { path: 'index.md', content: renderIndexMarkdown(entries) }));
  if (baseline.comparison) for (const line of comparisonConsoleLines(baseline.comparison)) log(line);
  if (baseline.problem) log(`no comparison: ${baseline.problem}`);
  const problems = conversions.filter((c) => c.problem).map((c) => `TAP to JUnit failed: ${c.tap}: ${c.problem}`);
  if (baseline.fatal && baseline.problem) problems.push(`--baseline: ${baseline.problem}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return written;
}
