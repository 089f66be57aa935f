// JUnit XML from the results model: one file per family (reports/junit/conformance-<family>.xml),
// one <testsuite> per cell, one <testcase> per case whose name carries every axis. Expected
// failures are passing testcases that say so; unexpected passes and timeouts are failures. These
// files (with junit/unit.xml) are the CI gate: reports/junit/*.xml holds nothing else (the peer
// clients' raw TAP goes to reports/tap-junit/, see tap-junit.ts).
import type { CaseResult, FailureDetail, ResultCoordinates, RunResults, WireDump } from '../results/model.ts';
import { axisEntries, failsGate, PARTY_AXES } from './axes.ts';
import { attributes, escapeText } from './xml.ts';

/** Where the gate's JUnit files go, relative to the reports folder: one glob, junit/*.xml, gets exactly them. */
export const GATE_JUNIT_DIR = 'junit';

export interface RenderedFile {
  /** Path relative to the reports folder. */
  readonly path: string;
  readonly content: string;
}

/**
 * Every axis, in report order: "avro | ts-client | ours -> python | http | mail | http.server | mail-send-ascii".
 * A peer's release joins its name ("python@1.12.2"); any axis a run adds appears in its place.
 */
export function cellName(coordinates: ResultCoordinates): string {
  const entries = axisEntries(coordinates);
  const value = new Map(entries);
  const version = value.get('version');
  const side = (name: string | undefined): string => (version !== undefined && name === value.get('peer') ? `${name}@${version}` : name ?? '?');
  const how = entries.filter(([axis]) => !PARTY_AXES.has(axis) && !(axis === 'version' && (value.get('client') === value.get('peer') || value.get('server') === value.get('peer'))));
  return [value.get('family') ?? '?', value.get('direction') ?? '?', `${side(value.get('client'))} -> ${side(value.get('server'))}`, ...how.map(([, v]) => v)].join(' | ');
}

export function junitCaseName(result: CaseResult): string {
  return `${cellName(result.coordinates)} | ${result.coordinates.case}`;
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
  const values: [string, string | undefined][] = [
    ...axisEntries(result.coordinates), ['outcome', result.outcome], ['attempts', String(result.attempts)],
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
  const failures = results.filter((r) => failsGate(r.outcome)).length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const time = results.reduce((sum, r) => sum + r.durationMs, 0);
  return `  <testsuite${attributes({ name, tests: results.length, failures, errors: 0, skipped, time: seconds(time), timestamp })}>\n` +
    `${results.map(testcase).join('')}  </testsuite>\n`;
}

export function renderJunit(run: RunResults): RenderedFile[] {
  const byFamily = new Map<string, Map<string, CaseResult[]>>();
  for (const result of run.results) {
    let cells = byFamily.get(result.coordinates.family);
    if (!cells) {
      cells = new Map();
      byFamily.set(result.coordinates.family, cells);
    }
    const list = cells.get(result.cellId);
    if (list) list.push(result);
    else cells.set(result.cellId, [result]);
  }
  return [...byFamily.keys()].sort().map((family) => {
    const cells = byFamily.get(family) ?? new Map<string, CaseResult[]>();
    const ofFamily = [...cells.values()].flat();
    const suites = [...cells.values()].map((results) => testsuite(cellName((results[0] as CaseResult).coordinates), results, run.run.startedAt));
    const failures = ofFamily.filter((r) => failsGate(r.outcome)).length;
    const skipped = ofFamily.filter((r) => r.outcome === 'skipped').length;
    const content = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes({
      name: `conformance ${family}`, tests: ofFamily.length, failures, errors: 0, skipped, time: seconds(run.run.durationMs),
    })}>\n${suites.join('')}</testsuites>\n`;
    return { path: `${GATE_JUNIT_DIR}/conformance-${family}.xml`, content };
  });
}
