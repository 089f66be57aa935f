// reports/matrix.html: one self-contained file (no network): the results embedded as JSON, the
// page's script and styles inlined. The browser side lives in matrix-page.js / matrix-page.css.
import { readFileSync } from 'node:fs';
import type { RunResults } from '../results/model.ts';
import { escapeText } from './xml.ts';

const PAGE_SCRIPT = readFileSync(new URL('./matrix-page.js', import.meta.url), 'utf8');
const PAGE_STYLE = readFileSync(new URL('./matrix-page.css', import.meta.url), 'utf8');

/** JSON that cannot end the <script> element it sits in, whatever strings the results hold. */
function embeddableJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderMatrixHtml(run: RunResults): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeText(`Conformance matrix · ${run.run.startedAt} · ${run.run.gitRevision.slice(0, 12)}`)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header id="header"></header>
<section id="filters" aria-label="filters"></section>
<main id="grids"></main>
<section id="drilldown" aria-live="polite"></section>
<script type="application/json" id="results-data">${embeddableJson(run)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
