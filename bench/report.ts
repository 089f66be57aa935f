// The bench's results model (reports/bench.json) and the views rendered from it alone:
// reports/bench.md (tables) and reports/bench.html (the same tables and a chart of the ratios).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatafileResult, DatafileRow } from './datafile.ts';
import { judge, loadExplanations, type Explanation, type RowFigures, type Verdict } from './explanations.ts';
import type { GroupResult, MeasureOptions, RowResult } from './measure.ts';
import { REPLAY_CLIENT, REPLAY_SERVER } from './plan.ts';
import type { Summary } from './stats.ts';

export interface PeerInfo {
  readonly peer: string;
  readonly folder: string;
  readonly version: string;
  readonly image: string;
  readonly libraries: Readonly<Record<string, string>>;
}

export interface QuickCheck {
  readonly baseline: string;
  readonly tolerance: number;
  readonly cpuTolerance: number;
  readonly ok: boolean;
  /** Groups measured a second time because a row of theirs failed the first time (the second measurement is judged). */
  readonly remeasured?: readonly string[];
  readonly checks: ReadonlyArray<{
    readonly row: string; readonly group: string; readonly baseline: number; readonly baselineCpu?: number; readonly measured?: number; readonly measuredCpu?: number;
    readonly ok: boolean; readonly reason?: string;
  }>;
}

export interface BenchReport {
  readonly run: {
    readonly started: string;
    readonly finished: string;
    readonly seconds: number;
    readonly mode: 'full' | 'quick' | 'partial';
    readonly git: { readonly revision: string; readonly dirty: boolean };
    readonly node: string;
    readonly cpus: number;
    readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
    readonly interrupted: boolean;
    readonly pinning: string;
    /** Where the Node agents ran (containers like the peers', or host processes with --host-agents). */
    readonly nodeAgents?: string;
    readonly jvm: string;
  } & Pick<MeasureOptions, 'rounds' | 'durationMs' | 'warmupMs' | 'warmupWindows' | 'warmupWindowMs' | 'firstWarmupMs'>;
  readonly peers: readonly PeerInfo[];
  readonly groups: readonly GroupResult[];
  readonly excluded: ReadonlyArray<{ readonly peer?: string; readonly impl?: string; readonly role?: string; readonly transport?: string; readonly reason: string }>;
  readonly notStarted: ReadonlyArray<{ readonly what: string; readonly reason: string }>;
  readonly datafile?: DatafileResult;
  /** Why the data-file part did not finish (the run then exits 1, its RPC results written). */
  readonly datafileError?: string;
  quick?: QuickCheck;
}

/** A row of ours below 1.0: the figures explanations are judged on, its spread and its verdict. */
export interface BelowOne extends RowFigures {
  readonly min: number;
  readonly max: number;
  /** The share of the rounds in which our process's event loop was busy (median), where measured. */
  readonly loopBusy?: number;
  /** Which explanation of bench/explanations.json covers the row and holds in this run, if any. */
  readonly verdict: Verdict;
}

/** The figures of one group's rows of ours that have a ratio (the data-file rows: figuresOfDatafile). */
export function figuresOfGroup(group: GroupResult): Array<Omit<BelowOne, 'verdict'>> {
  const floor = group.rows.find((r) => r.kind === 'floor');
  const out: Array<Omit<BelowOne, 'verdict'>> = [];
  for (const row of group.rows) {
    if (row.impl !== 'ours' || !row.ratio) continue;
    const replay = group.rows.find((r) => r.kind === 'replay' && r.name === (row.kind === 'client' ? REPLAY_CLIENT : REPLAY_SERVER));
    const fresh = group.fresh?.rows.find((r) => r.name === row.name)?.ratio;
    out.push({
      group: group.id, row: row.name, ...pick(row.ratio),
      ...(row.cpuRatio ? { cpu: row.cpuRatio.median } : {}), ...(row.ownCpuRatio ? { ownCpu: row.ownCpuRatio.median } : {}),
      ...(row.ofFloor ? { ofFloor: row.ofFloor.median } : {}),
      ...(floor?.ratio ? { floorRatio: floor.ratio.median } : {}),
      ...(row.ofReplay ? { ofReplay: row.ofReplay.median } : {}), ...(replay?.ratio ? { replayRatio: replay.ratio.median } : {}),
      ...(row.loopBusy ? { loopBusy: row.loopBusy.median } : {}),
      ...(row.gcPauseShare ? { gcPauseShare: row.gcPauseShare.median } : {}), ...(row.markCompactsPer1000 ? { markCompactsPer1000: row.markCompactsPer1000.median } : {}),
      ...(fresh ? { freshRatio: fresh.median } : {}),
    });
  }
  return out;
}

/** The figures of the data-file rows (ours against a peer, per codec and operation). */
export function figuresOfDatafile(rows: readonly DatafileRow[]): Array<Omit<BelowOne, 'verdict'>> {
  return rows.flatMap((d) =>
    d.ratio ? [{ group: `datafile/${d.codec}/${d.op}/${d.peer}`, row: 'ours', ...pick(d.ratio), ...(d.cpuRatio ? { cpu: d.cpuRatio.median } : {}) }] : []);
}

/**
 * Rows of ours whose median ratio is below 1.0 (ours slower than the reference), each judged
 * against bench/explanations.json with this run's figures.
 */
export function belowOne(report: BenchReport, explanations: readonly Explanation[] = loadExplanations()): BelowOne[] {
  return [...report.groups.flatMap(figuresOfGroup), ...figuresOfDatafile(report.datafile?.rows ?? [])]
    .filter((figures) => figures.median < 1)
    .map((figures) => ({ ...figures, verdict: judge(figures, explanations) }))
    .sort((a, b) => a.median - b.median);
}

function belowOneTable(below: readonly BelowOne[]): string[] {
  return [
    '| group | row | median | min–max | cpu ratio | own cpu ratio | × raw floor | × replay floor | loop busy | gc pause share | mark-compacts /1k | in new processes | why |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...below.map((b) => `| ${b.group} | ${b.row} | ${f2(b.median)} | ${f2(b.min)}–${f2(b.max)} | ${f2(b.cpu)} | ${f2(b.ownCpu)} | ${f2(b.ofFloor)} | ${f2(b.ofReplay)} | ${f2(b.loopBusy)} | ${f2(b.gcPauseShare)} | ${f2(b.markCompactsPer1000)} | ${f2(b.freshRatio)} | ${verdictText(b.verdict)} |`),
  ];
}

/** The verdict as one table cell or line: the explanation's id, or why none holds. */
export function verdictText(verdict: Verdict): string {
  if (verdict.explainedBy) return verdict.explainedBy;
  return verdict.notHolding.length > 0 ? `NOT EXPLAINED (${verdict.notHolding.join('; ')})` : 'NOT EXPLAINED';
}

function pick(s: Summary): { min: number; median: number; max: number } {
  return { min: s.min, median: s.median, max: s.max };
}

const f2 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const rate = (x: number | undefined): string => (x === undefined ? '–' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ratioText = (s: Summary | undefined): string => (s ? `${f2(s.median)} (${f2(s.min)}–${f2(s.max)})` : '–');
const mib = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(0));

function shapeLabel(g: GroupResult): string {
  return `${g.payload} ×${g.inflight}`;
}

function peersOf(report: BenchReport): Array<{ family: string; peer: string; groups: GroupResult[] }> {
  const out = new Map<string, { family: string; peer: string; groups: GroupResult[] }>();
  for (const g of report.groups) {
    const key = `${g.family}/${g.peer}`;
    const entry = out.get(key) ?? { family: g.family, peer: g.peer, groups: [] };
    entry.groups.push(g);
    out.set(key, entry);
  }
  return [...out.values()];
}

function shapes(groups: readonly GroupResult[]): string[] {
  return [...new Set(groups.map(shapeLabel))];
}

function axesOf(groups: readonly GroupResult[]): string[] {
  return [...new Set(groups.map((g) => `${g.transport} ${g.protocol}`))];
}

function ourRow(groups: readonly GroupResult[], axis: string, shape: string, kind: 'client' | 'server'): RowResult | undefined {
  const g = groups.find((x) => `${x.transport} ${x.protocol}` === axis && shapeLabel(x) === shape);
  return g?.rows.find((r) => r.impl === 'ours' && r.kind === kind);
}

function overviewMarkdown(groups: readonly GroupResult[]): string[] {
  const cols = shapes(groups);
  const lines = [
    `| transport protocol | ${cols.map((c) => `${c} client | ${c} server`).join(' | ')} |`,
    `|---|${cols.map(() => '---|---').join('|')}|`,
  ];
  for (const axis of axesOf(groups)) {
    const cells = cols.flatMap((shape) => (['client', 'server'] as const).map((kind) => {
      const row = ourRow(groups, axis, shape, kind);
      if (!row?.ratio) return row?.error ? 'error' : '–';
      const text = `${f2(row.ratio.median)} (cpu ${f2(row.cpuRatio?.median)})`;
      return row.ratio.median < 1 ? `**${text}**` : text;
    }));
    lines.push(`| ${axis} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function detailMarkdown(groups: readonly GroupResult[]): string[] {
  const lines = [
    '| transport protocol | payload ×in flight | contender | connections×in flight | ratio median (min–max) | cpu ratio median (min–max) | calls/s median | CPU µs per call (client / server) | own cpu ratio | × raw floor | × replay floor | loop busy | gc pause share | mark-compacts /1k | peak RSS MiB client / server |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const g of groups) {
    if (g.skipped) {
      lines.push(`| ${g.transport} ${g.protocol} | ${shapeLabel(g)} | (skipped: ${g.skipped}) | | | | | | | | | | | | |`);
      continue;
    }
    for (const r of g.rows) {
      const ratio = r.kind === 'reference' ? '1.00 (reference)' : r.kind === 'floor' || r.kind === 'replay' ? `${ratioText(r.ratio)} (floor)` : ratioText(r.ratio);
      const error = r.error ? ` ✗ ${r.error.replace(/\|/g, '\\|').slice(0, 160)}` : '';
      const cpu = r.kind === 'reference' ? '1.00' : ratioText(r.cpuRatio);
      lines.push(`| ${g.transport} ${g.protocol} | ${shapeLabel(g)}${g.pinned ? ' (pinned)' : ''} | ${r.name}${error} | ${r.connections}×${r.inflightPerConnection} | ${ratio} | ${cpu} | ${rate(r.rate?.median)} | ${r.cpuUsPerCall ?? '–'} (${r.cpuUsPerCallSides?.[0] ?? '–'} / ${r.cpuUsPerCallSides?.[1] ?? '–'}) | ${f2(r.ownCpuRatio?.median)} | ${r.kind === 'floor' ? '1' : f2(r.ofFloor?.median)} | ${r.kind === 'replay' ? '1' : f2(r.ofReplay?.median)} | ${f2(r.loopBusy?.median)} | ${f2(r.gcPauseShare?.median)} | ${f2(r.markCompactsPer1000?.median)} | ${mib(r.peakRssPairMiB?.[0])} / ${mib(r.peakRssPairMiB?.[1])} |`);
    }
  }
  return lines;
}

function datafileMarkdown(d: DatafileResult): string[] {
  return [
    `## Avro data files (${d.records.toLocaleString('en-US')} records per file, ${d.rounds} rounds, ${d.seconds} s)`, '',
    d.note, '', ...(d.settled ? [`Measured with more rounds, all of them counted (bench/settle.ts): ${d.settled}.`, ''] : []),
    '| codec | operation | against | ratio median (min–max) | cpu ratio median (min–max) | ours records/s | theirs records/s | ours records/CPU-s | theirs records/CPU-s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...d.rows.map((r) => `| ${r.codec} | ${r.op} | ${r.peer} | ${r.error ? `✗ ${r.error.replace(/\|/g, '\\|')}` : ratioText(r.ratio)} | ${ratioText(r.cpuRatio)} | ${rate(r.ours?.median)} | ${rate(r.theirs?.median)} | ${rate(r.oursPerCpuSecond?.median)} | ${rate(r.theirsPerCpuSecond?.median)} |`),
    '',
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const r = report.run;
  const lines: string[] = [
    `# Benchmark (${r.mode} run)`, '',
    `${r.started}, ${r.seconds} s${r.interrupted ? ', INTERRUPTED' : ''}; git ${r.git.revision.slice(0, 12)}${r.git.dirty ? ' (dirty)' : ''}; Node ${r.node}; ${r.cpus} CPUs; load average ${r.loadAverage.start.map((x) => x.toFixed(1)).join(' ')} at the start, ${r.loadAverage.end.map((x) => x.toFixed(1)).join(' ')} at the end.`,
    `${r.rounds} rounds per group, ${r.durationMs} ms measured per contender and round after ${r.warmupMs} ms of warm-up; the first time a client, server and transport meet they run ${r.firstWarmupMs} ms unmeasured (JIT); before its first round each contender runs up to ${r.warmupWindows} unmeasured windows of ${r.warmupWindowMs} ms until two agree within 20% (JIT warm-up); contenders of a group take turns in an order rotated every round.`,
    `Pinning: ${r.pinning}. Node agents: ${r.nodeAgents ?? 'host processes'}. JVM: ${r.jvm}.`, '',
    'Ratio: calls per second of the row divided by the reference pair (the peer\'s own client against its own server) **in the same round**; min, median and max over the rounds. Client rows: that client against the peer\'s server; server rows: the peer\'s client against that server. Above 1: faster than the reference.',
    'CPU ratio: calls per CPU-second of client and server together (each process reports its own CPU time, every thread), the row\'s divided by the reference\'s in the same round. It hardly moves with other load on the machine, but it does not see waiting (a Nagle stall costs no CPU): read the two together. CPU µs per call: client + server (each process\'s in brackets). Own cpu ratio (client and server rows): calls per CPU-second of the measured process alone over the reference\'s process in the same role, in the same round.',
    '× raw floor: the row\'s rate divided by Node\'s raw loopback echo of the same bytes (no RPC) in the same round. × replay floor (framed and buffered Thrift, Avro tcp, SASL and Netty; one call in flight, int and 64 KiB): the row\'s rate divided by that of Node with canned messages in place of ours against the same peer (bench/replay.ts, bench/replay-avro.ts; "replay client" with the peer\'s server, "replay server" with the peer\'s client), in the same round. Peak RSS: the highest resident memory of each process while the row ran (VmHWM, reset before each window).',
    'Loop busy, gc pause share and mark-compacts /1k (rows whose measured process is Node): the share of the round its event loop was busy; the share of its CPU time in its main thread\'s collection pauses (V8\'s GCProfiler: a lower bound, without incremental and concurrent marking); its full collections (mark-compacts) per 1,000 calls.', '',
    `Peers: ${report.peers.map((p) => `${p.folder} ${p.version} (${Object.entries(p.libraries).map(([k, v]) => `${k} ${v}`).join(', ')})`).join('; ')}.`, '',
  ];
  const explanations = loadExplanations();
  const below = belowOne(report, explanations);
  const unexplained = below.filter((b) => !b.verdict.explainedBy).length;
  lines.push(`## Below 1.0× (${below.length} rows of ours, ${unexplained} not explained)`, '',
    'Each row below 1.0 is held to bench/explanations.json: an explanation from a profile covers it only while all its checks hold in this run\'s figures (× raw or replay floor, cpu ratio, own cpu ratio, ratio, mark-compacts per 1,000 calls, or the ratio measured again in new processes).', '');
  const settled = report.groups.filter((g) => g.settled);
  if (settled.length > 0) {
    lines.push(`Measured again with more rounds, each judged over all its rounds (bench/settle.ts: a row of ours that a small change of one figure would move to another verdict, either way, or a rate that moved more than 3x between rounds):`, '',
      ...settled.map((g) => `- ${g.id}: ${g.settled?.rounds} rounds; ${g.settled?.why}`), '');
  }
  const fresh = report.groups.filter((g) => g.fresh);
  if (fresh.length > 0) {
    lines.push('Measured once more in new processes (bench/fresh.ts: every Node agent of the group replaced, the peers kept; a group with a row of ours below 1.0 that no other explanation covered). The rows above keep their own figures; "in new processes" in the table is this measurement, which the `fresh-process-ratio` check reads:', '',
      ...fresh.map((g) => `- ${g.id}: ${g.fresh?.rounds} rounds; ${g.fresh?.why}; then ${(g.fresh?.rows ?? []).filter((r) => r.impl === 'ours' && r.ratio).map((r) => `${r.name} ${ratioText(r.ratio)}`).join(', ') || 'no ratio of ours'}`), '');
  }
  if (below.length > 0) {
    lines.push(...belowOneTable(below), '');
    const used = explanations.filter((e) => below.some((b) => b.verdict.explainedBy === e.id));
    if (used.length > 0) {
      lines.push('### The explanations used', '');
      for (const e of used) lines.push(`- **${e.id}**${e.checks ? ` (holds when ${e.checks.map((c) => `${c.kind} >= ${c.atLeast}`).join(' and ')})` : ''}: ${e.cause} Outside our code: ${e.outside}. Profile: ${e.profile}.`);
      lines.push('');
    }
  }
  if (report.quick) {
    lines.push(`## Quick check against ${report.quick.baseline}: ${report.quick.ok ? 'ok' : 'REGRESSION'}`, '',
      `Best round of each row. A row fails below min(baseline, 2) × ${report.quick.tolerance} (ratio) or min(baseline, 2) × ${report.quick.cpuTolerance} (CPU ratio), measured twice.${report.quick.remeasured?.length ? ` Measured again after a first failure: ${report.quick.remeasured.join(', ')}.` : ''}`, '',
      '| row | baseline ratio / cpu | measured ratio / cpu | |', '|---|---|---|---|');
    for (const c of report.quick.checks) lines.push(`| ${c.row} | ${f2(c.baseline)} / ${f2(c.baselineCpu)} | ${f2(c.measured)} / ${f2(c.measuredCpu)} | ${c.ok ? 'ok' : `✗ ${c.reason ?? ''}`} |`);
    lines.push('');
  }
  for (const { family, peer, groups } of peersOf(report)) {
    lines.push(`## ${family === 'avro' ? 'Avro RPC' : 'Thrift'} against ${peer}`, '', 'Ours / reference: median ratio of calls per second (and of calls per CPU-second); bold: below 1.', '', ...overviewMarkdown(groups), '', ...detailMarkdown(groups), '');
  }
  if (report.datafile) lines.push(...datafileMarkdown(report.datafile));
  if (report.datafileError !== undefined) lines.push('## Avro data files: FAILED', '', '```', report.datafileError, '```', '');
  if (report.excluded.length > 0) {
    lines.push('## Not measured', '');
    for (const e of report.excluded) lines.push(`- ${[e.impl, e.role, e.peer ? `against ${e.peer}` : '', e.transport].filter(Boolean).join(' ')}: ${e.reason}`);
  }
  for (const n of report.notStarted) lines.push(`- ${n.what}: ${n.reason}`);
  return `${lines.join('\n')}\n`;
}

// ---- HTML: the tables and a chart ----------------------------------------------------------

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Markdown table lines to an HTML table (cells with a ratio below 1 marked). */
function tableHtml(lines: readonly string[]): string {
  const rows = lines.filter((l) => !/^\|[-|]+\|$/.test(l)).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
  const [head, ...body] = rows;
  const cell = (c: string, tag: string): string => {
    const bold = /^\*\*(.*)\*\*$/.exec(c);
    const text = bold ? (bold[1] as string) : c;
    const cls = bold || /^0\.\d\d( |$)/.test(text) ? ' class="below"' : /^[1-9]\d*\.\d\d( |$)/.test(text) ? ' class="above"' : '';
    return `<${tag}${cls}>${escapeHtml(text)}</${tag}>`;
  };
  return `<table><thead><tr>${(head ?? []).map((c) => cell(c, 'th')).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Horizontal bars on a log scale: median ratio, with a whisker from min to max, and the 1.0 line. */
function chartSvg(groups: readonly GroupResult[]): string {
  const rows = groups.flatMap((g) => g.rows.filter((r) => (r.kind === 'client' || r.kind === 'server') && r.ratio)
    .map((r) => ({ label: `${g.transport} ${g.protocol} ${shapeLabel(g)} · ${r.name}`, ratio: r.ratio as Summary, ours: r.impl === 'ours' })));
  const lo = Math.log10(0.01);
  const hi = Math.log10(20);
  const left = 330;
  const width = 560;
  const rowHeight = 15;
  const top = 20;
  const x = (v: number): number => left + ((Math.log10(Math.min(Math.max(v, 0.01), 20)) - lo) / (hi - lo)) * width;
  const ticks = [0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const height = top + rows.length * rowHeight + 10;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" font-family="sans-serif" font-size="10">`];
  for (const t of ticks) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${top - 4}" y2="${height - 10}" stroke="${t === 1 ? '#333' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${x(t)}" y="${top - 8}" text-anchor="middle">${t}×</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const color = r.ratio.median < 1 ? (r.ours ? '#d9534f' : '#e8a5a3') : r.ours ? '#3c8d40' : '#9bc99d';
    parts.push(`<text x="${left - 6}" y="${y + 10}" text-anchor="end"${r.ours ? ' font-weight="bold"' : ''}>${escapeHtml(r.label)}</text>`);
    parts.push(`<rect x="${Math.min(x(1), x(r.ratio.median))}" y="${y + 2}" width="${Math.abs(x(r.ratio.median) - x(1))}" height="${rowHeight - 5}" fill="${color}"><title>${escapeHtml(`${r.label}: ${ratioText(r.ratio)}`)}</title></rect>`);
    parts.push(`<line x1="${x(r.ratio.min)}" x2="${x(r.ratio.max)}" y1="${y + 7}" y2="${y + 7}" stroke="#222"/>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderHtml(report: BenchReport): string {
  const md = renderMarkdown(report).split('\n');
  const intro = md.slice(2, md.findIndex((l) => l.startsWith('## '))).filter((l) => l !== '').map((l) => `<p>${escapeHtml(l).replace(/\*\*(.*?)\*\*/g, '<b>$1</b>')}</p>`).join('\n');
  const sections: string[] = [];
  const below = belowOne(report);
  sections.push(`<h2>Below 1.0× (${below.length} rows of ours, ${below.filter((b) => !b.verdict.explainedBy).length} not explained by bench/explanations.json)</h2>`);
  if (below.length > 0) sections.push(tableHtml(belowOneTable(below)));
  for (const { family, peer, groups } of peersOf(report)) {
    sections.push(`<h2>${family === 'avro' ? 'Avro RPC' : 'Thrift'} against ${escapeHtml(peer)}</h2>`);
    sections.push('<h3>Ours / reference (median ratio)</h3>', tableHtml(overviewMarkdown(groups)));
    sections.push('<h3>Every row: median ratio, whisker min–max, log scale (bold: ours)</h3>', chartSvg(groups));
    sections.push('<details><summary>All measurements of this peer</summary>', tableHtml(detailMarkdown(groups)), '</details>');
  }
  if (report.datafile) {
    const lines = datafileMarkdown(report.datafile);
    sections.push(`<h2>${escapeHtml((lines[0] ?? '').replace(/^## /, ''))}</h2>`, `<p>${escapeHtml(report.datafile.note)}</p>`, tableHtml(lines.filter((l) => l.startsWith('|'))));
  }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Benchmark (${report.run.mode})</title>
<style>
body{font-family:sans-serif;margin:1.5em;max-width:1400px}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:12px}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:left}
td.below{background:#f8d7d6}td.above{background:#dcefdc}
details{margin-bottom:1em}
</style></head><body>
<h1>Benchmark (${report.run.mode} run)</h1>
${intro}
${sections.join('\n')}
</body></html>
`;
}

/**
 * Writes bench.json, bench.md and bench.html into `out` (bench-quick.* for a quick run, so that the
 * check at the end of `npm test` leaves the last full run's reports alone); returns their paths.
 */
export function writeReports(report: BenchReport, out: string): string[] {
  mkdirSync(out, { recursive: true });
  const name = report.run.mode === 'quick' ? 'bench-quick' : 'bench';
  const files: Array<[string, string]> = [
    [join(out, `${name}.json`), `${JSON.stringify(report, null, 1)}\n`],
    [join(out, `${name}.md`), renderMarkdown(report)],
    [join(out, `${name}.html`), renderHtml(report)],
  ];
  for (const [path, text] of files) writeFileSync(path, text);
  return files.map(([path]) => path);
}
