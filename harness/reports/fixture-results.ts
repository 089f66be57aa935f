// A small but complete results model for the report tests: two families, both directions, every
// outcome, a wire trace, a peer log tail, a ts-server cell whose TAP file the test writes, a peer
// in two releases (the `version` and `socket` axes) whose behaviour changes between them, and a
// baseline run to compare with (a new failure, a fixed case, new, removed and changed cases).
import { cellTitle, type NamedCell } from '../matrix/naming.ts';
import { cellId } from '../results/cell-id.ts';
import { judge } from '../results/gate.ts';
import { RESULTS_SCHEMA_VERSION, type CaseResult, type ResultCoordinates, type RunResults } from '../results/model.ts';

type FixtureCell = NamedCell;

export const AVRO_TO_PYTHON: FixtureCell = {
  family: 'avro', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python',
  implementation: 'ours', transport: 'http', protocol: 'mail', serverKind: 'http.server',
};
export const JAVA_TO_OURS: FixtureCell = {
  family: 'avro', direction: 'ts-server', client: 'java', server: 'ours', peer: 'java',
  implementation: 'ours', transport: 'socket', protocol: 'conformance', serverKind: 'default',
};
export const THRIFT_TO_JAVA: FixtureCell = {
  family: 'thrift', direction: 'ts-client', client: 'ours', server: 'java', peer: 'java',
  implementation: 'ours', transport: 'framed', protocol: 'compact', serverKind: 'threaded-selector',
};
const thriftToPython = (version: string): FixtureCell => ({
  family: 'thrift', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python',
  implementation: 'ours', version, transport: 'framed', protocol: 'json', socket: 'tcp', serverKind: 'simple',
});
export const THRIFT_TO_PYTHON_OLD = thriftToPython('0.20.0');
export const THRIFT_TO_PYTHON_NEW = thriftToPython('0.21.0');

/** The cell id results.json would carry: the harness's, with the release and socket when the cell has them. */
export function fixtureCellId(cell: FixtureCell): string {
  return cellId(cell);
}

function result(cell: FixtureCell, id: string, extra: Partial<CaseResult>): CaseResult {
  const coordinates: ResultCoordinates = { ...cell, case: id };
  return { coordinates, cellId: fixtureCellId(cell), title: `${cellTitle(cell)} | ${id}`, outcome: 'pass', durationMs: 21, attempts: 1, logs: {}, ...extra };
}

export const BARE_NAN = {
  id: 'python-thrift-json-bare-nan', reason: 'Python thrift writes NaN as a bare nan token',
  upstream: 'https://issues.apache.org/jira/browse/THRIFT-0000 (fixture)',
};

/** tapPath: where the test wrote the ts-server cell's TAP (absolute). */
export function fixtureResults(tapPath: string): RunResults {
  const results: CaseResult[] = [
    result(AVRO_TO_PYTHON, 'mail-send-ascii', {}),
    result(AVRO_TO_PYTHON, 'mail-send-unicode', {
      outcome: 'fail',
      failure: {
        summary: 'response differs', message: 'response differs <script>alert(1)</script>',
        expected: '"Sent message to 张三"', actual: '"Sent message to ??"', mismatchSource: 'error',
        wire: [{ label: 'sent request', hex: '00000010' + Buffer.from('Sent message to x').toString('hex') }],
        peerLogTail: '--- peer server log (tail) ---\nTraceback (most recent call last):\nUnicodeDecodeError',
      },
      logs: { peer: 'reports/logs/avro.ours-to-python.http.mail.http-server.log' },
      peerRun: { image: 'avro-thrift-conformance/python-avro:0123456789abcdef', role: 'server', args: ['server', '--transport', 'http'] },
    }),
    result(AVRO_TO_PYTHON, 'ping', {
      outcome: 'expected-failure',
      knownFailure: { id: 'python-ping-crash', reason: 'released Python Avro servers crash on the ping message' },
      failure: { summary: 'interrupted', message: 'interrupted' },
    }),
    result(AVRO_TO_PYTHON, 'mail-send-64k-body', { outcome: 'pass', attempts: 2, knownFlaky: { id: 'slow-http', reason: 'first request slow' } }),
    result(JAVA_TO_OURS, 'echo-int-max', { logs: { tap: tapPath } }),
    result(JAVA_TO_OURS, 'echo-long-max', {
      outcome: 'unexpected-pass', logs: { tap: tapPath },
      knownFailure: { id: 'java-long-stale', reason: 'was fixed upstream' },
      failure: { summary: 'unexpected pass: known-failure entry "java-long-stale" is stale', message: 'unexpected pass' },
    }),
    result(JAVA_TO_OURS, 'handshake-none', { outcome: 'skipped', skipReason: 'peer client cannot run this case kind', logs: { tap: tapPath } }),
    result(JAVA_TO_OURS, 'echo-float-nan', {
      outcome: 'expected-failure', logs: { tap: tapPath },
      knownFailure: { id: 'java-float-nan', reason: 'the Java client sends a different NaN' },
      failure: { summary: 'peer client: not ok: float differs', message: 'peer client: not ok\n  message: "float differs"\n  expected: NaN\n  actual: 0.0' },
    }),
    result(THRIFT_TO_JAVA, 'echo-i32', {}),
    result(THRIFT_TO_JAVA, 'oneway-then-call', { outcome: 'timeout', failure: { summary: 'timeout: did not finish within 5000 ms', message: 'timeout' } }),
    result(THRIFT_TO_PYTHON_OLD, 'echo-i32', {}),
    result(THRIFT_TO_PYTHON_OLD, 'double-nan', {}),
    result(THRIFT_TO_PYTHON_OLD, 'echo-labels', {}),
    result(THRIFT_TO_PYTHON_NEW, 'echo-i32', {}),
    result(THRIFT_TO_PYTHON_NEW, 'double-nan', {
      outcome: 'expected-failure', knownFailure: BARE_NAN,
      failure: { summary: "Expected 'u' instead of 'a'", message: "Expected 'u' instead of 'a'" },
    }),
    // Written the old way: expected and actual only in the message text.
    result(THRIFT_TO_PYTHON_NEW, 'echo-labels', {
      outcome: 'fail',
      failure: { summary: 'echoLabels: the answer differs', message: 'echoLabels: the answer differs\nexpected: [["__proto__","p"],["a","b"]]\nactual:   [["a","b"]]' },
    }),
  ];
  return {
    schema: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt: '2026-01-02T03:04:05.000Z', finishedAt: '2026-01-02T03:06:05.000Z', durationMs: 120_000,
      gitRevision: '0123456789abcdef0123456789abcdef01234567', gitDirty: false, node: 'v24.9.0', ci: false, full: true,
      filter: {}, vitestState: 'failed',
      timing: { imageBuildsMs: 65_000, containerStartsMs: 12_000, casesMs: 40_000, reportingMs: 2_000 },
    },
    references: [
      { family: 'avro', id: 'python', language: 'python', source: 'containers/python-avro', versions: { 'avro (PyPI)': '1.12.0' } },
      { family: 'avro', id: 'java', language: 'java', source: 'containers/java-avro', versions: { 'avro-ipc': '1.12.0' } },
      { family: 'thrift', id: 'java', language: 'java', source: 'containers/java-thrift', versions: { libthrift: '0.22.0' } },
      { family: 'thrift', id: 'python', language: 'python', source: 'containers/python-thrift', version: '0.20.0', versions: { 'thrift (PyPI)': '0.20.0' } },
      { family: 'thrift', id: 'python', language: 'python', source: 'containers/python-thrift', version: '0.21.0', versions: { 'thrift (PyPI)': '0.21.0' } },
    ],
    implementations: [{ family: 'avro', id: 'ours', language: 'typescript', source: 'impls/avro', versions: { avsc: '5.7.9' } }],
    results,
    staleEntries: [],
    unhandledErrors: [],
    gate: judge(results, [], []),
  };
}

/**
 * The run before the fixture run: mail-send-unicode passed (a new failure now), thrift echo-i32
 * against Java failed (fixed now), ping failed outright (an expected failure now: another change),
 * mail-send-retired existed (removed now), and no Python Thrift cell ran (new cases now).
 */
export function fixtureBaseline(tapPath: string): RunResults {
  const current = fixtureResults(tapPath);
  const changed: Record<string, Partial<CaseResult>> = {
    'mail-send-unicode': { outcome: 'pass' },
    'echo-i32': { outcome: 'fail', failure: { summary: 'was broken', message: 'was broken' } },
    ping: { outcome: 'fail', failure: { summary: 'interrupted', message: 'interrupted' } },
  };
  const results = current.results
    .filter((r) => r.coordinates.peer !== 'python' || r.coordinates.family !== 'thrift')
    .map((r) => {
      const change = changed[r.coordinates.case];
      if (!change) return r;
      const { failure: _failure, knownFailure: _known, ...rest } = r;
      return { ...rest, ...change };
    });
  results.push(result(AVRO_TO_PYTHON, 'mail-send-retired', {}));
  return {
    ...current,
    run: { ...current.run, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:02:00.000Z', gitRevision: 'fedcba9876543210fedcba9876543210fedcba98' },
    results,
    gate: judge(results, [], []),
  };
}

/** The ts-server cell's raw TAP: its "not ok" is an expected failure in the model. */
export const FIXTURE_TAP = `TAP version 13
1..4
ok 1 - echo-int-max
ok 2 - echo-long-max
ok 3 - handshake-none # SKIP peer client cannot run this case kind
not ok 4 - echo-float-nan
  ---
  message: "float differs"
  expected: NaN
  actual: 0.0
  ...
`;
