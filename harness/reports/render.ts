// Renders every report from reports/results.json alone: JUnit (model + tap-junit), matrix.md,
// matrix.html, and the index. Used by the vitest reporter after a run and by `conformance report`.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readResults, resultsFile } from '../results/files.ts';
import { renderJunit, type RenderedFile } from './junit.ts';
import { renderMatrixHtml } from './matrix-html.ts';
import { renderMatrixMarkdown } from './matrix-md.ts';
import { indexEntries, renderIndexMarkdown } from './report-index.ts';
import { convertTapFiles } from './tap-junit.ts';
import { UNIT_JUNIT } from './unit-junit.ts';

function write(dir: string, file: RenderedFile): string {
  const path = join(dir, file.path);
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename: a reader never sees half a file.
  writeFileSync(`${path}.partial`, file.content);
  renameSync(`${path}.partial`, path);
  return file.path;
}

/**
 * Returns the paths written, relative to dir. Throws when a TAP file could not be converted.
 * Only junit/ is cleared here, except junit/unit.xml (and tap/, logs/ by the reporter when a run
 * starts); everything else in dir is left alone and indexed as found, notably
 * screenshots/matrix.png, which the unit project's browser test writes earlier in the same
 * `npm test` and nothing here can re-create.
 */
export async function renderAll(dir: string): Promise<string[]> {
  const run = readResults(resultsFile(dir));
  // junit/ is generated: clear it so no file from an earlier run is published again. All but the
  // unit tests' JUnit, which the reporter writes for the same run as results.json (and removes
  // when that run had no unit tests): it cannot be rendered from results.json.
  const junit = join(dir, 'junit');
  if (existsSync(junit)) {
    for (const name of readdirSync(junit)) {
      if (`junit/${name}` !== UNIT_JUNIT) rmSync(join(junit, name), { recursive: true, force: true });
    }
  }
  const written = [
    ...renderJunit(run).map((f) => write(dir, f)),
    write(dir, { path: 'matrix.md', content: renderMatrixMarkdown(run) }),
    write(dir, { path: 'matrix.html', content: renderMatrixHtml(run) }),
  ];
  const conversions = await convertTapFiles(run, dir);
  written.push(...conversions.flatMap((c) => (c.junit ? [c.junit] : [])));
  const entries = indexEntries(dir);
  written.push(write(dir, { path: 'index.json', content: `${JSON.stringify({ generatedFrom: 'results.json', files: entries }, null, 2)}\n` }));
  written.push(write(dir, { path: 'index.md', content: renderIndexMarkdown(entries) }));
  const problems = conversions.filter((c) => c.problem);
  if (problems.length > 0) throw new Error(`TAP to JUnit failed: ${problems.map((c) => `${c.tap}: ${c.problem}`).join('; ')}`);
  return written;
}
