// reports/matrix.md: the matrix as GitHub-flavoured Markdown, small enough for a job summary.
// One table per family (client side in rows, server side in columns), each table cell showing
// passed/ran with marks; then the cells in detail, the gate's problems and the legend.
import type { RunResults, VersionedImplementation } from '../results/model.ts';
import { familyGrids, gridKey, totalCounts, type CellSummary } from './aggregate.ts';
import { formatDuration, MARK_LEGEND, marks } from './marks.ts';

function cellText(summaries: readonly CellSummary[] | undefined): string {
  if (!summaries || summaries.length === 0) return '—';
  const { counts, ran, retries } = totalCounts(summaries);
  const shownMarks = marks(counts, retries).map((m) => `${m.symbol}${m.count}`).join(' ');
  const verdict = counts.fail + counts.timeout + counts['unexpected-pass'] > 0 ? '❌' : ran === 0 ? '⊘' : '✅';
  return `${verdict} ${counts.pass}/${ran}${shownMarks ? ` ${shownMarks}` : ''}`;
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function versionsLine(list: readonly VersionedImplementation[]): string[] {
  return list.map((v) => `| ${v.family} | ${md(v.id)} | ${v.language} | ${md(Object.entries(v.versions).map(([k, ver]) => `${k} ${ver}`).join(', ') || '—')} | ${v.source} |`);
}

export function renderMatrixMarkdown(run: RunResults): string {
  const info = run.run;
  const lines: string[] = ['# Conformance matrix', ''];
  lines.push(run.gate.ok
    ? `**✅ gate passed** — ${run.results.length} case results`
    : `**❌ gate failed** — ${run.gate.problems.length} problem(s), ${run.results.length} case results`);
  lines.push('');
  lines.push(`Run ${info.startedAt} · revision \`${info.gitRevision.slice(0, 12)}\`${info.gitDirty ? ' (uncommitted changes)' : ''} · ` +
    `${formatDuration(info.durationMs)} · Node ${info.node} · ${info.full ? 'full run' : `filtered run (${md(JSON.stringify({ ...info.filter, ...(info.caseGlob ? { case: info.caseGlob } : {}) }))})`}`);
  if (info.skipReason) lines.push('', `> **Container suites skipped:** ${md(info.skipReason)}`);
  if (info.injectFault) lines.push('', `> **Fault injected on purpose** into the cases matching \`${md(info.injectFault)}\` (harness/wire/fault-proxy.ts): their failures are the point.`);
  lines.push('', '| family | implementation | language | versions | declared in |', '|---|---|---|---|---|',
    ...versionsLine(run.implementations), ...versionsLine(run.references), '');

  for (const grid of familyGrids(run.results)) {
    lines.push(`## ${grid.family}`, '', `| client ↓ \\ server → | ${grid.servers.map(md).join(' | ')} |`,
      `|---|${grid.servers.map(() => '---').join('|')}|`);
    for (const client of grid.clients) {
      lines.push(`| **${md(client)}** | ${grid.servers.map((server) => cellText(grid.cells.get(gridKey(client, server)))).join(' | ')} |`);
    }
    const all = [...grid.cells.values()].flat();
    lines.push('', `<details><summary>${grid.family}: ${all.length} cells in detail</summary>`, '',
      '| direction | client → server | transport | protocol | server kind | result |', '|---|---|---|---|---|---|');
    for (const s of all) {
      lines.push(`| ${s.cell.direction} | ${md(s.cell.client)} → ${md(s.cell.server)} | ${md(s.cell.transport)} | ${md(s.cell.protocol)} | ${md(s.cell.serverKind)} | ${cellText([s])} |`);
    }
    lines.push('', '</details>', '');
  }

  if (run.results.length === 0) lines.push('_No conformance case ran._', '');
  if (!run.gate.ok) {
    lines.push('## Problems', '');
    const shown = run.gate.problems.slice(0, 50);
    lines.push(...shown.map((p) => `- ${md(p)}`));
    if (run.gate.problems.length > shown.length) lines.push(`- … and ${run.gate.problems.length - shown.length} more (see results.json)`);
    lines.push('');
  }
  lines.push(`Cells show passed/ran. ${MARK_LEGEND.map((m) => `${m.symbol} ${m.label}`).join(' · ')}. ` +
    'Every case with its failure detail: `reports/matrix.html`.', '');
  return lines.join('\n');
}
