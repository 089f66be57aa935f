// reports/matrix.html and reports/matrix-data/<family>.js. The page is small: its script, styles
// and a summary of every matrix cell (counts only). The cases, with their failure details and
// wire dumps, stay in one data file per family, which the page loads by a <script> element when a
// cell of that family is opened (a script element works from file://, where fetch does not). No
// network: the page loads nothing but its own data files (Content-Security-Policy).
import { readFileSync } from 'node:fs';
import type { RunResults } from '../results/model.ts';
import type { CellSummary } from './aggregate.ts';
import { orderAxes } from './axes.ts';
import type { Comparison } from './compare.ts';
import type { RenderedFile } from './junit.ts';
import { embeddableJson, familyData, familyDataPath, familyDataScript, knownFailureTable, pageCells, pageComparison, type PageSummary } from './page-data.ts';
import type { VersionGrid } from './version-grid.ts';
import { escapeText } from './xml.ts';

const PAGE_SCRIPT = readFileSync(new URL('./matrix-page.js', import.meta.url), 'utf8');
const PAGE_STYLE = readFileSync(new URL('./matrix-page.css', import.meta.url), 'utf8');

export interface MatrixPageInput {
  readonly run: RunResults;
  readonly cells: readonly CellSummary[];
  readonly versionGrids: readonly VersionGrid[];
  readonly comparison?: Comparison;
  /** Why there is no comparison although one was asked for (an unreadable --baseline). */
  readonly comparisonProblem?: string;
}

export function renderMatrixPage(input: MatrixPageInput): RenderedFile[] {
  const { run, cells } = input;
  const families = [...new Set(cells.map((c) => c.family))].sort();
  const dataFiles = families.map((family) => {
    const content = familyDataScript(familyData(family, cells, run.run.startedAt));
    return { family, path: familyDataPath(family), content, cases: cells.filter((c) => c.family === family).reduce((n, c) => n + c.results.length, 0) };
  });
  const axes = orderAxes(cells.flatMap((c) => Object.keys(c.axes)));
  const compact = pageCells(cells, axes);
  const summary: PageSummary = {
    run: run.run, gate: run.gate, references: run.references, implementations: run.implementations,
    staleEntries: run.staleEntries, unhandledErrors: run.unhandledErrors,
    axes, axisValues: compact.axisValues, cells: compact.cells,
    families: dataFiles.map((f) => ({ family: f.family, file: f.path, cases: f.cases, bytes: Buffer.byteLength(f.content) })),
    knownFailures: knownFailureTable(run.results),
    ...(input.comparison ? { comparison: pageComparison(input.comparison) } : {}),
    ...(input.comparisonProblem ? { comparisonProblem: input.comparisonProblem } : {}),
    versionGrids: input.versionGrids,
  };
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'self' file:; img-src data:">
<title>${escapeText(`Conformance matrix · ${run.run.startedAt} · ${run.run.gitRevision.slice(0, 12)}`)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header id="header"></header>
<section id="legend" aria-label="legend"></section>
<section id="comparison" aria-label="comparison with a previous run"></section>
<section id="filters" aria-label="filters"></section>
<main id="families"></main>
<script type="application/json" id="summary-data">${embeddableJson(summary)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  return [{ path: 'matrix.html', content: html }, ...dataFiles.map((f) => ({ path: f.path, content: f.content }))];
}
