// Runs a fixture conformance run (fixtures/gate-run) through vitest with the results reporter and
// checks results.json and the gate end to end: every outcome, the stale entries, the exit code.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVitest } from 'vitest/node';
import { ENV } from './run-options.ts';
import type { CaseResult, RunResults } from './model.ts';
import { validateJunit } from '../reports/junit-validate.ts';
import { ConformanceResultsReporter } from './reporter.ts';
import { scratchDirectory } from '../run/scratch.ts';

const fixture = new URL('./fixtures/gate-run/', import.meta.url).pathname;
const reports = scratchDirectory('conformance-gate-run-');
const SCREENSHOT = Buffer.from('\x89PNG fixture', 'latin1');
let results: RunResults;
let exitCode: typeof process.exitCode;
const saved: Record<string, string | undefined> = {};
// The nested runs' own console output (including the broken setup's error) is not this test's output.
const quiet = (): { stdout: Writable; stderr: Writable } => {
  const sink = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });
  return { stdout: sink(), stderr: sink() };
};

beforeAll(async () => {
  // A full run: nothing in the environment may narrow it.
  for (const name of [ENV.filter, ENV.caseGlob, 'CONFORMANCE_REPORTS_DIR']) saved[name] = process.env[name];
  delete process.env[ENV.filter];
  delete process.env[ENV.caseGlob];
  process.env['CONFORMANCE_REPORTS_DIR'] = reports;
  // What the unit project's browser test leaves before the reporter renders (see render.ts).
  mkdirSync(join(reports, 'screenshots'));
  writeFileSync(join(reports, 'screenshots', 'matrix.png'), SCREENSHOT);
  const before = process.exitCode;
  // Two projects, as in vitest.config.ts: the unit project's tests go to junit/unit.xml.
  const vitest = await startVitest('test', [], {
    config: false, root: fixture, watch: false, run: true,
    projects: [
      { test: { name: 'unit', include: ['*.fixture-unit.ts'] } },
      { test: { name: 'conformance', include: ['*.fixture-test.ts'] } },
    ],
    reporters: [new ConformanceResultsReporter({
      knownFailuresFile: join(fixture, 'known-failures.json'), knownFlakyFile: join(fixture, 'known-flaky.json'),
    })],
  }, {}, quiet());
  await vitest.close();
  exitCode = process.exitCode;
  process.exitCode = before; // the fixture run is meant to fail; this test's own process is not
  results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as RunResults;
}, 120_000);

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function byCase(id: string): CaseResult {
  const found = results.results.find((r) => r.coordinates.case === id);
  if (!found) throw new Error(`no result for ${id}`);
  return found;
}

describe('the results reporter on a fixture run', () => {
  it('records every case with its outcome', () => {
    expect(Object.fromEntries(results.results.map((r) => [r.coordinates.case, r.outcome]))).toEqual({
      passes: 'pass', fails: 'fail', 'known-and-fails': 'expected-failure', 'known-but-passes': 'unexpected-pass',
      hangs: 'timeout', flaky: 'pass', skipped: 'skipped',
    });
  });

  it('keeps failure detail, the wire bytes, the known-failure evidence, retries and log paths', () => {
    expect(byCase('fails').failure).toMatchObject({ summary: 'response differs', expected: 'a', actual: 'b', peerLogTail: expect.stringContaining('Traceback'), wire: [{ label: 'wire', hex: '0a0b' }] });
    expect(byCase('known-and-fails')).toMatchObject({ knownFailure: { id: 'documented-bug', reason: 'the peer answers with the wrong error' }, failure: { summary: 'as documented' } });
    expect(byCase('flaky')).toMatchObject({ attempts: 2, knownFlaky: { id: 'first-attempt-slow' } });
    expect(byCase('passes').logs).toEqual({ peer: 'reports/logs/fixture.log' });
    expect(byCase('skipped').skipReason).toBeTruthy();
  });

  it('fails the gate on the failure, the timeout, the unexpected pass (naming entry and reason) and the unmatched entry', () => {
    expect(results.run.full).toBe(true);
    expect(results.staleEntries).toEqual([{ file: 'suites/known-failures.json', id: 'matches-nothing', reason: 'a peer that no longer exists' }]);
    expect(results.gate.ok).toBe(false);
    const problems = results.gate.problems.join('\n');
    expect(problems).toMatch(/^FAIL .*\| fails: response differs$/m);
    expect(problems).toMatch(/^TIMEOUT .*\| hangs: timeout: hangs did not finish within 300 ms$/m);
    expect(problems).toMatch(/UNEXPECTED PASS .*known-but-passes: known-failure entry "fixed-long-ago" is stale \(its reason: the peer used to drop the last byte\)/);
    expect(problems).toContain('STALE ENTRY "matches-nothing"');
    expect(results.gate.problems).toHaveLength(4);
    expect(byCase('known-but-passes').failure?.summary).toContain('"fixed-long-ago" is stale');
    expect(exitCode).toBe(1);
  });

  it('never calls entries stale, nor the run passed, when the global setup broke before any case', async () => {
    const broken = scratchDirectory('conformance-gate-broken-');
    process.env['CONFORMANCE_REPORTS_DIR'] = broken;
    // An earlier run's unit JUnit: this run has no unit tests, so it must not be published with it.
    mkdirSync(join(broken, 'junit'));
    writeFileSync(join(broken, 'junit', 'unit.xml'), '<testsuites/>');
    const before = process.exitCode;
    const vitest = await startVitest('test', [], {
      config: false, root: fixture, name: 'conformance', include: ['*.fixture-test.ts'], watch: false, run: true,
      globalSetup: [join(fixture, 'broken-setup.ts')],
      reporters: [new ConformanceResultsReporter({ knownFailuresFile: join(fixture, 'known-failures.json'), knownFlakyFile: join(fixture, 'known-flaky.json') })],
    }, {}, quiet());
    await vitest.close();
    process.exitCode = before;
    process.env['CONFORMANCE_REPORTS_DIR'] = reports;
    const run = JSON.parse(readFileSync(join(broken, 'results.json'), 'utf8')) as RunResults;
    expect(run.results).toEqual([]);
    expect(run.staleEntries).toEqual([]);
    expect(run.gate.ok).toBe(false);
    expect(run.gate.problems.join('\n')).toMatch(/outside any test: vitest failed the run but no conformance case failed/);
    expect(existsSync(join(broken, 'junit', 'unit.xml'))).toBe(false);
  }, 60_000);

  it('renders the reports from the results it wrote', () => {
    expect(readFileSync(join(reports, 'matrix.md'), 'utf8')).toContain('🟧 50% 3/6 ✗1 ⏱1 ‼1 ⚑1 ↻1 ⊘1 · **gate ✗3**'); // the unexpected pass interoperates
    expect(readFileSync(join(reports, 'junit', 'conformance-avro.xml'), 'utf8')).toContain('type="unexpected-pass"');
  });

  it('writes the unit project\'s tests to junit/unit.xml, valid JUnit, and indexes it', () => {
    const unit = validateJunit(readFileSync(join(reports, 'junit', 'unit.xml'), 'utf8'));
    expect(unit).toMatchObject({ suites: 1, tests: 4, failures: 1, skipped: 1 });
    expect(unit.testcaseNames).toEqual(['fixture unit > passes', 'fixture unit > fails <on purpose>', 'fixture unit > is skipped', 'fixture unit > nested > passes too']);
    expect(readFileSync(join(reports, 'junit', 'unit.xml'), 'utf8')).toMatch(/<failure type="failed" message="AssertionError: expected 'a &amp; b' to be 'a'/);
    // Only the conformance project's cases are in the model.
    expect(results.results.every((r) => r.coordinates.family === 'avro')).toBe(true);
    const index = JSON.parse(readFileSync(join(reports, 'index.json'), 'utf8')) as { files: { path: string; kind: string }[] };
    expect(index.files.find((f) => f.path === 'junit/unit.xml')?.kind).toMatch(/unit tests/);
  });

  it('keeps the browser test\'s screenshot through the run and lists it in the index', () => {
    const png = join(reports, 'screenshots', 'matrix.png');
    expect(existsSync(png) && readFileSync(png).equals(SCREENSHOT)).toBe(true);
    const index = JSON.parse(readFileSync(join(reports, 'index.json'), 'utf8')) as { files: { path: string; kind: string }[] };
    expect(index.files).toContainEqual({ path: 'screenshots/matrix.png', kind: expect.stringMatching(/screenshot/), bytes: SCREENSHOT.length });
    expect(readFileSync(join(reports, 'index.md'), 'utf8')).toContain('[screenshots/matrix.png](screenshots/matrix.png)');
  });
});
