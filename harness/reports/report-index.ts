// reports/index.json and reports/index.md: every file under reports/, what it is, and its size.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface IndexEntry {
  readonly path: string;
  readonly kind: string;
  readonly bytes: number;
}

const KINDS: readonly [RegExp, string][] = [
  [/^results\.json$/, 'results model (every other report is rendered from it)'],
  [/^matrix\.md$/, 'matrix, Markdown (GitHub job summary)'],
  [/^matrix\.html$/, 'matrix, HTML page with drill-down (loads matrix-data/ beside it)'],
  [/^matrix-data\/.*\.js$/, 'cases of one family for matrix.html, loaded when a cell is opened'],
  [/^tap-junit\/.*\.xml$/, 'evidence, not the gate: JUnit converted by tap-junit from a peer client\'s TAP'],
  [/^junit\/unit\.xml$/, 'gate JUnit: the unit tests (vitest project "unit") of the same run'],
  [/^junit\/conformance-.*\.xml$/, 'gate JUnit: rendered from the results model'],
  [/^history\/.*\.json\.gz$/, 'an earlier run\'s results.json (gzip), the baseline of the comparison'],
  [/^tap\/.*\.tap$/, 'raw TAP printed by a reference client (ts-server direction)'],
  [/^logs\/.*\.log$/, 'reference peer server log of a cell'],
  [/^screenshots\/.*\.png$/, 'screenshot of matrix.html taken by a browser test'],
  [/^work\/$/, 'data-file suite scratch folder (files written and read by the peers), listed as one entry'],
];

function kindOf(path: string): string {
  return KINDS.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
}

export function indexEntries(dir: string): IndexEntry[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(dir, path))
    .filter((path) => path !== 'index.json' && path !== 'index.md');
  // The data-file scratch folder holds thousands of small files: one line for all of them.
  const scratch = files.filter((path) => path.startsWith('work/'));
  const listed = files.filter((path) => !path.startsWith('work/'))
    .map((path) => ({ path, kind: kindOf(path), bytes: statSync(join(dir, path)).size }));
  if (scratch.length > 0) {
    const bytes = scratch.reduce((sum, path) => sum + statSync(join(dir, path)).size, 0);
    listed.push({ path: 'work/', kind: `${kindOf('work/')} (${scratch.length} files)`, bytes });
  }
  return listed.sort((a, b) => a.path.localeCompare(b.path));
}

export function renderIndexMarkdown(entries: readonly IndexEntry[]): string {
  return ['# Reports', '', 'How to read them: reports/README.md in the repository.', '', '| file | what | bytes |', '|---|---|---|',
    ...entries.map((e) => `| [${e.path}](${e.path}) | ${e.kind} | ${e.bytes} |`), ''].join('\n');
}
