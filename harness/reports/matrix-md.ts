// reports/matrix.md: the matrix as GitHub-flavoured Markdown, small enough for a job summary.
// Per family the implementation x peer grid (a coloured square for the share of cases that
// interoperate, the gate apart), one summary line per pair, the version grids, the cells in
// detail; then the comparison with the previous run, the gate's problems and the legend.
import type { RunResults, VersionedImplementation } from '../results/model.ts';
import { familyGrids, pairKey, type CellSummary, type FamilyGrid, type Tally } from './aggregate.ts';
import { howAxes } from './axes.ts';
import { changeLine, comparisonCounts, type CaseChange, type Comparison } from './compare.ts';
import { formatDuration, gateText, MARK_LEGEND, marksText, NOTHING_RAN, pairLine, SHARE_BANDS, shareSymbol, shareText } from './marks.ts';
import type { VersionGrid } from './version-grid.ts';

/** Cases listed per kind of change; the counts are always complete. */
export const MD_CHANGES_PER_KIND = 30;

/** Text for a table cell: pipes escaped, one line. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Text for a list item or paragraph: one line (pipes need no escape outside tables). */
function inline(text: string): string {
  return text.replace(/\n/g, ' ');
}

/** "🟥 9.5% 10/105 ⚑95 · **gate ✗1**": the share, then the marks, then the gate when it fails. */
export function entryText(tally: Tally): string {
  const shown = marksText(tally);
  return `${shareSymbol(tally)} ${shareText(tally)} ${tally.interoperating}/${tally.ran}${shown ? ` ${shown}` : ''}` +
    `${tally.gateFailures > 0 ? ` · **${gateText(tally)}**` : ''}`;
}

function versionsLine(list: readonly VersionedImplementation[]): string[] {
  return list.map((v) => `| ${v.family} | ${md(v.id)}${v.version ? ` ${md(v.version)}` : ''} | ${v.language} | ` +
    `${md(Object.entries(v.versions).map(([k, ver]) => `${k} ${ver}`).join(', ') || '—')} | ${md(v.source)} |`);
}

function familySection(grid: FamilyGrid, versionGridsOfFamily: readonly VersionGrid[]): string[] {
  const lines = [`## ${grid.family}`, '', `| implementation ↓ \\ peer → | ${grid.cols.map(md).join(' | ')} |`, `|---|${grid.cols.map(() => '---').join('|')}|`];
  for (const row of grid.rows) {
    lines.push(`| **${md(row)}** | ${grid.cols.map((col) => {
      const pair = grid.pairs.get(pairKey(row, col));
      return pair ? entryText(pair) : '—';
    }).join(' | ')} |`);
  }
  lines.push('');
  for (const row of grid.rows) {
    for (const col of grid.cols) {
      const pair = grid.pairs.get(pairKey(row, col));
      if (pair) lines.push(`- ${inline(pairLine(row, col, pair, pair.cells.map((c) => c.axes['direction'] ?? '')))}`);
    }
  }
  lines.push('');
  for (const versionGrid of versionGridsOfFamily) lines.push(...versionSection(versionGrid));
  const cells = [...grid.pairs.values()].flatMap((p) => p.cells);
  const how = [...new Set(cells.flatMap((c) => howAxes(Object.entries(c.axes)).map(([axis]) => axis)))];
  lines.push(`<details><summary>${grid.family}: ${cells.length} cells in detail</summary>`, '',
    `| direction | client → server | ${how.join(' | ')} | result |`, `|---|---|${how.map(() => '---|').join('')}---|`);
  for (const c of cells) {
    lines.push(`| ${md(c.axes['direction'] ?? '')} | ${md(c.axes['client'] ?? '')} → ${md(c.axes['server'] ?? '')} | ${how.map((axis) => md(c.axes[axis] ?? '—')).join(' | ')} | ${entryText(c)} |`);
  }
  lines.push('', '</details>', '');
  return lines;
}

function versionSection(grid: VersionGrid): string[] {
  const lines = [`### ${grid.family}: ${md(grid.peer)} by release`, '', `| ${grid.rowAxes.join(' · ')} | ${grid.versions.map(md).join(' | ')} |`,
    `|---|${grid.versions.map(() => '---').join('|')}|`];
  const changes: string[] = [];
  let chance = 0;
  for (const row of grid.rows) {
    lines.push(`| ${md(row.label)} | ${row.entries.map((entry, index) => {
      if (!entry) return '—';
      const step = index > 0 ? row.steps[index - 1] : undefined;
      return `${entryText(entry.tally)}${step && step.changes.length > 0 ? ` **Δ${step.changes.length}**` : ''}`;
    }).join(' | ')} |`);
    for (const step of row.steps) {
      chance += step.chance.length;
      if (step.changes.length === 0) continue;
      const shown = step.changes.slice(0, 10).map((c) => `\`${c.case}\` (${c.before} → ${c.after}, ${c.cellId})`).join(', ');
      changes.push(`- ${inline(grid.peer)} ${step.from} → ${step.to} · ${inline(row.label)}: ${shown}${step.changes.length > 10 ? `, … and ${step.changes.length - 10} more` : ''}`);
    }
  }
  lines.push('', changes.length > 0 ? 'Behaviour changed between releases (Δ):' : 'No case behaves differently from one release to the next.', ...changes, '');
  if (chance > 0) {
    lines.push(`Not counted as Δ: ${chance} case(s) that passed in one release and failed in the next under the same intermittent known-failure entry (chance, recorded by that entry; matrix.html lists them).`, '');
  }
  return lines;
}

function changeList(title: string, list: readonly CaseChange[]): string[] {
  if (list.length === 0) return [];
  const shown = list.slice(0, MD_CHANGES_PER_KIND).map((item) => `- ${inline(changeLine(item))}`);
  if (list.length > shown.length) shown.push(`- … and ${list.length - shown.length} more (matrix.html lists them)`);
  return [`<details${title === 'New failures' || title === 'Fixed' ? ' open' : ''}><summary>${title} (${list.length})</summary>`, '', ...shown, '', '</details>', ''];
}

function comparisonSection(comparison: Comparison | undefined, problem: string | undefined): string[] {
  if (problem) return ['## Compared with the previous run', '', `> **No comparison:** ${md(problem)}`, ''];
  if (!comparison) return ['_No previous run to compare with (reports/history/ is empty; give one with `--baseline path/to/results.json`)._', ''];
  const b = comparison.baseline;
  return ['## Compared with the previous run', '',
    `Baseline: run ${b.startedAt} · revision \`${b.gitRevision.slice(0, 12)}\` · ${b.full ? 'full run' : 'filtered run'} · ${b.cases} cases (${md(b.source)}).`, '',
    `**${comparisonCounts(comparison)}**, ${comparison.unchanged} unchanged.`, '',
    ...changeList('New failures', comparison.newFailures), ...changeList('Fixed', comparison.fixed), ...changeList('New cases', comparison.added),
    ...changeList('Removed cases', comparison.removed), ...changeList('Other changes of outcome', comparison.otherChanges),
    ...(comparison.removedNote && comparison.removed.length > 0 ? [`_Note: ${md(comparison.removedNote)}._`, ''] : [])];
}

export interface MatrixMarkdownInput {
  readonly run: RunResults;
  readonly cells: readonly CellSummary[];
  readonly versionGrids: readonly VersionGrid[];
  readonly comparison?: Comparison;
  readonly comparisonProblem?: string;
}

export function renderMatrixMarkdown(input: MatrixMarkdownInput): string {
  const { run } = input;
  const info = run.run;
  const lines: string[] = ['# Conformance matrix', ''];
  lines.push(run.gate.ok
    ? `**✅ gate passed** — ${run.results.length} case results`
    : `**❌ gate failed** — ${run.gate.problems.length} problem(s), ${run.results.length} case results`);
  lines.push('');
  lines.push(`Run ${info.startedAt} · revision \`${info.gitRevision.slice(0, 12)}\`${info.gitDirty ? ' (uncommitted changes)' : ''} · ` +
    `${formatDuration(info.durationMs)} · Node ${info.node} · ${info.full ? 'full run' : `filtered run (${md(JSON.stringify({ ...info.filter, ...(info.caseGlob ? { case: info.caseGlob } : {}) }))})`}`);
  if (info.timing) {
    const labels: Record<string, string> = { imageBuildsMs: 'image builds', containerStartsMs: 'container starts', casesMs: 'cases', reportingMs: 'reporting', longestShardWallMs: 'longest shard', shardsWallMs: 'shards together' };
    const phases = Object.entries(info.timing).filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .sort(([a], [b]) => (a in labels ? Object.keys(labels).indexOf(a) : 99) - (b in labels ? Object.keys(labels).indexOf(b) : 99));
    lines.push('', `Time: ${phases.map(([k, ms]) => `${labels[k] ?? k.replace(/Ms$/, '')} ${formatDuration(ms)}`).join(' · ')}`);
  }
  if (info.interrupted || info.vitestState === 'interrupted') {
    lines.push('', `> **Run interrupted${info.interrupted?.reason ? `: ${md(info.interrupted.reason)}` : ''}.** Cases that did not run are listed as skipped.`);
  }
  if (info.skipReason) lines.push('', `> **Container suites skipped:** ${md(info.skipReason)}`);
  if (info.injectFault) lines.push('', `> **Fault injected on purpose** into the cases matching \`${md(info.injectFault)}\` (harness/wire/fault-proxy.ts): their failures are the point.`);
  lines.push('', `Colour: the share of the cases that ran which interoperate — ${SHARE_BANDS.map((b) => `${b.symbol} ${b.label}`).join(' · ')} · ${NOTHING_RAN.symbol} ${NOTHING_RAN.label}. ` +
    'An expected failure ⚑ counts as not interoperating; the gate is shown apart (**gate ✗N**: failures, timeouts, unexpected passes).', '');
  lines.push(...comparisonSection(input.comparison, input.comparisonProblem));
  const implementations = new Set(run.implementations.map((v) => v.id));
  const references = new Set(run.references.map((v) => v.id));
  for (const grid of familyGrids(input.cells, implementations, references)) {
    lines.push(...familySection(grid, input.versionGrids.filter((g) => g.family === grid.family)));
  }
  if (run.results.length === 0) lines.push('_No conformance case ran._', '');
  if (!run.gate.ok) {
    lines.push('## Problems', '');
    const shown = run.gate.problems.slice(0, 50);
    lines.push(...shown.map((p) => `- ${md(p)}`));
    if (run.gate.problems.length > shown.length) lines.push(`- … and ${run.gate.problems.length - shown.length} more (see results.json)`);
    lines.push('');
  }
  lines.push('<details><summary>Implementations and reference versions</summary>', '', '| family | implementation | language | versions | declared in |', '|---|---|---|---|---|',
    ...versionsLine(run.implementations), ...versionsLine(run.references), '', '</details>', '');
  lines.push(`Entries show the share, then interoperating/ran. ${MARK_LEGEND.map((m) => `${m.symbol} ${m.label}`).join(' · ')}. ` +
    'Every case with its failure detail: `reports/matrix.html`.', '');
  return lines.join('\n');
}
