// A small but complete results model for the report tests: two families, both directions, every
// outcome, a wire trace, a peer log tail, and a ts-server cell whose TAP file the test writes.
import type { CaseCoordinates, Cell } from '../matrix/axes.ts';
import { cellTitle } from '../matrix/naming.ts';
import { cellId } from '../results/cell-id.ts';
import { judge } from '../results/gate.ts';
import { RESULTS_SCHEMA_VERSION, type CaseResult, type RunResults } from '../results/model.ts';

const avroToPython: Cell = {
  family: 'avro', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python',
  version: '1.0.0', socket: 'tcp', implementation: 'ours', transport: 'http', protocol: 'mail', serverKind: 'http.server',
};
const javaToOurs: Cell = {
  family: 'avro', direction: 'ts-server', client: 'java', server: 'ours', peer: 'java',
  version: '1.0.0', socket: 'tcp', implementation: 'ours', transport: 'socket', protocol: 'conformance', serverKind: 'default',
};
const thriftToJava: Cell = {
  family: 'thrift', direction: 'ts-client', client: 'ours', server: 'java', peer: 'java',
  version: '1.0.0', socket: 'tcp', implementation: 'ours', transport: 'framed', protocol: 'compact', serverKind: 'threaded-selector',
};

function result(cell: Cell, id: string, extra: Partial<CaseResult>): CaseResult {
  const coordinates: CaseCoordinates = { ...cell, case: id };
  return { coordinates, cellId: cellId(cell), title: `${cellTitle(cell)} | ${id}`, outcome: 'pass', durationMs: 21, attempts: 1, logs: {}, ...extra };
}

/** tapPath: where the test wrote the ts-server cell's TAP (absolute). */
export function fixtureResults(tapPath: string): RunResults {
  const results: CaseResult[] = [
    result(avroToPython, 'mail-send-ascii', {}),
    result(avroToPython, 'mail-send-unicode', {
      outcome: 'fail',
      failure: {
        summary: 'response differs', message: 'response differs <script>alert(1)</script>',
        expected: '"Sent message to 张三"', actual: '"Sent message to ??"',
        wire: [{ label: 'sent request', hex: '00000010' + Buffer.from('Sent message to x').toString('hex') }],
        peerLogTail: '--- peer server log (tail) ---\nTraceback (most recent call last):\nUnicodeDecodeError',
      },
      logs: { peer: 'reports/logs/avro.ours-to-python.http.mail.http-server.log' },
      peerRun: { image: 'avro-thrift-conformance/python-avro:0123456789abcdef', role: 'server', args: ['server', '--transport', 'http'] },
    }),
    result(avroToPython, 'ping', {
      outcome: 'expected-failure',
      knownFailure: { id: 'python-ping-crash', reason: 'released Python Avro servers crash on the ping message' },
      failure: { summary: 'interrupted', message: 'interrupted' },
    }),
    result(avroToPython, 'mail-send-64k-body', { outcome: 'pass', attempts: 2, knownFlaky: { id: 'slow-http', reason: 'first request slow' } }),
    result(javaToOurs, 'echo-int-max', { logs: { tap: tapPath } }),
    result(javaToOurs, 'echo-long-max', {
      outcome: 'unexpected-pass', logs: { tap: tapPath },
      knownFailure: { id: 'java-long-stale', reason: 'was fixed upstream' },
      failure: { summary: 'unexpected pass: known-failure entry "java-long-stale" is stale', message: 'unexpected pass' },
    }),
    result(javaToOurs, 'handshake-none', { outcome: 'skipped', skipReason: 'peer client cannot run this case kind', logs: { tap: tapPath } }),
    result(thriftToJava, 'echo-i32', {}),
    result(thriftToJava, 'oneway-then-call', { outcome: 'timeout', failure: { summary: 'timeout: did not finish within 5000 ms', message: 'timeout' } }),
  ];
  return {
    schema: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt: '2026-01-02T03:04:05.000Z', finishedAt: '2026-01-02T03:06:05.000Z', durationMs: 120_000,
      gitRevision: '0123456789abcdef0123456789abcdef01234567', gitDirty: false, node: 'v24.9.0', ci: false, full: true,
      filter: {}, vitestState: 'failed',
    },
    references: [
      { family: 'avro', id: 'python', language: 'python', source: 'containers/python-avro', versions: { 'avro (PyPI)': '1.12.0' } },
      { family: 'avro', id: 'java', language: 'java', source: 'containers/java-avro', versions: { 'avro-ipc': '1.12.0' } },
      { family: 'thrift', id: 'java', language: 'java', source: 'containers/java-thrift', versions: { libthrift: '0.22.0' } },
    ],
    implementations: [{ family: 'avro', id: 'ours', language: 'typescript', source: 'impls/avro', versions: { avsc: '5.7.9' } }],
    results,
    staleEntries: [],
    unhandledErrors: [],
    gate: judge(results, [], []),
  };
}

export const FIXTURE_TAP = `TAP version 13
1..3
ok 1 - echo-int-max
ok 2 - echo-long-max
ok 3 - handshake-none # SKIP peer client cannot run this case kind
`;
