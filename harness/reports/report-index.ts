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
  [/^matrix\.html$/, 'matrix, self-contained HTML with drill-down'],
  [/^junit\/tap-.*\.xml$/, 'JUnit converted by tap-junit from a peer client\'s TAP'],
  [/^junit\/unit\.xml$/, 'JUnit of the unit tests (vitest project "unit") of the same run'],
  [/^junit\/conformance-.*\.xml$/, 'JUnit rendered from the results model'],
  [/^tap\/.*\.tap$/, 'raw TAP printed by a reference client (ts-server direction)'],
  [/^logs\/.*\.log$/, 'reference peer server log of a cell'],
  [/^screenshots\/.*\.png$/, 'screenshot of matrix.html taken by the browser test'],
];

function kindOf(path: string): string {
  return KINDS.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
}

export function indexEntries(dir: string): IndexEntry[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(dir, path))
    .filter((path) => path !== 'index.json' && path !== 'index.md')
    .sort()
    .map((path) => ({ path, kind: kindOf(path), bytes: statSync(join(dir, path)).size }));
}

export function renderIndexMarkdown(entries: readonly IndexEntry[]): string {
  return ['# Reports', '', 'How to read them: reports/README.md in the repository.', '', '| file | what | bytes |', '|---|---|---|',
    ...entries.map((e) => `| [${e.path}](${e.path}) | ${e.kind} | ${e.bytes} |`), ''].join('\n');
}
