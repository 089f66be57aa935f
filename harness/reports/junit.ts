// JUnit XML from the results model: one file per family (reports/junit/conformance-<family>.xml),
// one <testsuite> per cell, one <testcase> per case whose name carries every axis. Expected
// failures are passing testcases that say so; unexpected passes and timeouts are failures.
import type { Family } from '../matrix/axes.ts';
import { cellTitle } from '../matrix/naming.ts';
import type { CaseResult, FailureDetail, RunResults, WireDump } from '../results/model.ts';
import { attributes, escapeText } from './xml.ts';

export interface RenderedFile {
  /** Path relative to the reports folder. */
  readonly path: string;
  readonly content: string;
}

/** "avro | ts-client | ours -> python | http | mail | http.server | mail-send-ascii" */
export function junitCaseName(result: CaseResult): string {
  const c = result.coordinates;
  return [c.family, c.direction, `${c.client} -> ${c.server}`, c.transport, c.protocol, c.serverKind, c.case].join(' | ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function wireLines(wire: readonly WireDump[] | undefined): string[] {
  return (wire ?? []).map((trace) => `wire (${trace.label}): ${trace.hex}`);
}

function failureBody(detail: FailureDetail | undefined): string {
  if (!detail) return '';
  const parts = [detail.message];
  if (detail.expected !== undefined) parts.push(`expected: ${detail.expected}`);
  if (detail.actual !== undefined) parts.push(`actual: ${detail.actual}`);
  parts.push(...wireLines(detail.wire));
  if (detail.peerLogTail) parts.push(detail.peerLogTail);
  return parts.join('\n');
}

function properties(result: CaseResult): string {
  const c = result.coordinates;
  const values: [string, string | undefined][] = [
    ['family', c.family], ['direction', c.direction], ['client', c.client], ['server', c.server], ['peer', c.peer],
    ['implementation', c.implementation], ['transport', c.transport], ['protocol', c.protocol],
    ['serverKind', c.serverKind], ['case', c.case], ['outcome', result.outcome], ['attempts', String(result.attempts)],
    ['known-failure', result.knownFailure?.id], ['known-flaky', result.knownFlaky?.id],
    ['tap', result.logs.tap], ['peer-log', result.logs.peer],
  ];
  const lines = values.filter(([, v]) => v !== undefined).map(([name, value]) => `        <property${attributes({ name, value })}/>`);
  return `      <properties>\n${lines.join('\n')}\n      </properties>\n`;
}

function testcase(result: CaseResult): string {
  const head = `    <testcase${attributes({
    name: junitCaseName(result),
    classname: `conformance.${result.coordinates.family}.${result.coordinates.direction}.${result.cellId}`,
    time: seconds(result.durationMs),
  })}>\n${properties(result)}`;
  let body = '';
  switch (result.outcome) {
    case 'pass': {
      // Retries are never hidden; with --trace the case's bytes go along.
      const notes = [...(result.attempts > 1 ? [`passed after ${result.attempts - 1} retr${result.attempts === 2 ? 'y' : 'ies'}`] : []), ...wireLines(result.wire)];
      if (notes.length > 0) body = `      <system-out>${escapeText(notes.join('\n'))}</system-out>\n`;
      break;
    }
    case 'skipped':
      body = `      <skipped${attributes({ message: result.skipReason ?? 'skipped' })}/>\n`;
      break;
    case 'expected-failure':
      body = `      <system-out>${escapeText(`expected failure (known-failure entry "${result.knownFailure?.id}": ${result.knownFailure?.reason})\n${failureBody(result.failure)}`)}</system-out>\n`;
      break;
    case 'fail':
    case 'timeout':
    case 'unexpected-pass':
      body = `      <failure${attributes({ type: result.outcome, message: result.failure?.summary ?? result.outcome })}>${escapeText(failureBody(result.failure))}</failure>\n`;
      break;
  }
  return `${head}${body}    </testcase>\n`;
}

function testsuite(name: string, results: readonly CaseResult[], timestamp: string): string {
  const failures = results.filter((r) => r.outcome === 'fail' || r.outcome === 'timeout' || r.outcome === 'unexpected-pass').length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const time = results.reduce((sum, r) => sum + r.durationMs, 0);
  return `  <testsuite${attributes({ name, tests: results.length, failures, errors: 0, skipped, time: seconds(time), timestamp })}>\n` +
    `${results.map(testcase).join('')}  </testsuite>\n`;
}

export function renderJunit(run: RunResults): RenderedFile[] {
  const families = [...new Set(run.results.map((r) => r.coordinates.family))].sort() as Family[];
  return families.map((family) => {
    const ofFamily = run.results.filter((r) => r.coordinates.family === family);
    const cells = new Map<string, CaseResult[]>();
    for (const result of ofFamily) cells.set(result.cellId, [...(cells.get(result.cellId) ?? []), result]);
    const suites = [...cells.values()].map((results) => {
      const first = results[0] as CaseResult;
      return testsuite(`${first.coordinates.direction} | ${cellTitle(first.coordinates)}`, results, run.run.startedAt);
    });
    const failures = ofFamily.filter((r) => r.outcome === 'fail' || r.outcome === 'timeout' || r.outcome === 'unexpected-pass').length;
    const skipped = ofFamily.filter((r) => r.outcome === 'skipped').length;
    const content = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes({
      name: `conformance ${family}`, tests: ofFamily.length, failures, errors: 0, skipped, time: seconds(run.run.durationMs),
    })}>\n${suites.join('')}</testsuites>\n`;
    return { path: `junit/conformance-${family}.xml`, content };
  });
}
