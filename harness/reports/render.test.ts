import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeResults } from '../results/files.ts';
import type { RunResults } from '../results/model.ts';
import { FIXTURE_TAP, fixtureBaseline, fixtureResults } from './fixture-results.ts';
import { HISTORY_DIR } from './history.ts';
import { validateJunit } from './junit-validate.ts';
import { renderAll } from './render.ts';
import { renderUnitJunit, UNIT_JUNIT, type UnitFile } from './unit-junit.ts';
import { scratchDirectory } from '../run/scratch.ts';

const TAP_NAME = 'avro.java-to-ours.socket.conformance.default';

/** A reports folder holding the fixture's TAP file and the given run as results.json. */
function reportsWith(make: (tap: string) => RunResults, prefix = 'conformance-reports-'): { dir: string; tap: string } {
  const dir = scratchDirectory(prefix);
  mkdirSync(join(dir, 'tap'), { recursive: true });
  const tap = join(dir, 'tap', `${TAP_NAME}.tap`);
  writeFileSync(tap, FIXTURE_TAP);
  writeResults(make(tap), join(dir, 'results.json'));
  return { dir, tap };
}

function xmlFiles(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.xml')).map((f) => join(folder, f)).sort() : [];
}

describe('renderAll on a fixture run with a kept baseline', () => {
  let dir = '';
  let written: string[] = [];
  const log: string[] = [];

  beforeAll(async () => {
    // The baseline is rendered first, as the run before; the fixture run then finds it in history/.
    const made = reportsWith(fixtureBaseline);
    dir = made.dir;
    await renderAll(dir, { log: () => undefined });
    writeResults(fixtureResults(made.tap), join(dir, 'results.json'));
    written = await renderAll(dir, { log: (line) => log.push(line) });
  }, 60_000);

  it('writes the gate JUnit, the evidence JUnit, both matrix views with per-family data, the index and the history', () => {
    expect(written.sort()).toEqual([
      'index.json', 'index.md', 'junit/conformance-avro.xml', 'junit/conformance-thrift.xml', 'matrix-data/avro.js', 'matrix-data/thrift.js',
      'matrix.html', 'matrix.md', `tap-junit/${TAP_NAME}.xml`,
    ]);
    expect(readdirSync(join(dir, HISTORY_DIR)).sort()).toEqual(['2026-01-01T00-00-00-000Z.json.gz', '2026-01-02T03-04-05-000Z.json.gz']);
  });

  it('puts exactly the gate\'s JUnit under junit/: its failures are the gate\'s failing cases, the peer TAP\'s "not ok" is elsewhere', () => {
    const gate = xmlFiles(join(dir, 'junit')).map((file) => validateJunit(readFileSync(file, 'utf8')));
    expect(gate.reduce((sum, j) => sum + j.failures, 0)).toBe(4); // mail-send-unicode, echo-long-max, oneway-then-call, echo-labels
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResults;
    expect(results.gate.problems.filter((p) => /^(FAIL|TIMEOUT|UNEXPECTED PASS)/.test(p))).toHaveLength(4);
    const evidence = validateJunit(readFileSync(join(dir, 'tap-junit', `${TAP_NAME}.xml`), 'utf8'));
    expect(evidence.failures).toBe(1); // echo-float-nan: an expected failure, a pass in the gate's JUnit
    expect(gate.flatMap((j) => j.testcaseNames)).toContain('avro | ts-server | java -> ours | socket | conformance | default | echo-float-nan');
  });

  it('names every axis in the gate JUnit, the peer\'s release beside its name', () => {
    const thrift = validateJunit(readFileSync(join(dir, 'junit', 'conformance-thrift.xml'), 'utf8'));
    expect(thrift.tests).toBe(8);
    expect(thrift.testcaseNames).toContain('thrift | ts-client | ours -> python@0.21.0 | framed | json | tcp | simple | double-nan');
    expect(thrift.testcaseNames).toContain('thrift | ts-client | ours -> java | framed | compact | threaded-selector | echo-i32');
    const avro = validateJunit(readFileSync(join(dir, 'junit', 'conformance-avro.xml'), 'utf8'));
    expect(avro).toMatchObject({ tests: 8, failures: 2, skipped: 1 });
    expect(avro.testcaseNames).toContain('avro | ts-client | ours -> python | http | mail | http.server | mail-send-unicode');
  });

  it('draws per family an implementation x peer grid whose entries are the interoperating share, the gate apart', () => {
    const md = readFileSync(join(dir, 'matrix.md'), 'utf8');
    expect(md).toContain('| implementation ↓ \\ peer → | java | python |');
    // avro: ours -> python ran 4 (pass, fail, expected failure, retried pass); java -> ours ran 3 (pass, unexpected pass, expected failure).
    expect(md).toContain('| **ours** | 🟧 66.6% 2/3 ‼1 ⚑1 ⊘1 · **gate ✗1** | 🟧 50% 2/4 ✗1 ⚑1 ↻1 · **gate ✗1** |');
    expect(md).toContain('| **ours** | 🟧 50% 1/2 ⏱1 · **gate ✗1** | 🟧 66.6% 4/6 ✗1 ⚑1 · **gate ✗1** |');
    expect(md).toContain('- ours ↔ python: 2/4 interoperate (50%) · 1 cell (ts-client 1) · not interoperating: ⚑1 (python-ping-crash 1), ✗1 failed · ↻1 retries · gate ✗1');
    expect(md).toContain('🟩 all cases interoperate · 🟨 90% or more · 🟧 50% to 90% · 🟥 under 50% · ⬜ no case ran');
    expect(md).toContain('Time: image builds 1m 5s · container starts 12s · cases 40s · reporting 2s');
  });

  it('shows the version grid with the cases whose behaviour changed between releases', () => {
    const md = readFileSync(join(dir, 'matrix.md'), 'utf8');
    expect(md).toContain('### thrift: python by release');
    expect(md).toContain('| ours · framed · json | 🟩 100% 3/3 | 🟥 33.3% 1/3 ✗1 ⚑1 · **gate ✗1** **Δ2** |');
    expect(md).toMatch(/- python 0\.20\.0 → 0\.21\.0 · ours · framed · json: `double-nan` \(pass → expected-failure, [^)]+\), `echo-labels` \(pass → fail, [^)]+\)/);
  });

  it('compares with the previous run in matrix.md and on the console', () => {
    const md = readFileSync(join(dir, 'matrix.md'), 'utf8');
    expect(md).toContain('Baseline: run 2026-01-01T00:00:00.000Z · revision `fedcba987654`');
    expect(md).toContain('**1 new failure(s), 1 fixed, 6 new case(s), 1 removed, 1 other change(s)**, 7 unchanged.');
    expect(md).toContain('- avro | ours -> python | http | mail | http.server | mail-send-unicode (pass → fail)');
    expect(md).toContain('- thrift | ours -> java | framed | compact | threaded-selector | echo-i32 (fail → pass)');
    expect(md).toContain('- avro | ours -> python | http | mail | http.server | mail-send-retired (pass)');
    expect(md).toContain('| ping (fail → expected-failure)');
    expect(log[0]).toBe(`compared with the run of 2026-01-01T00:00:00.000Z (fedcba987654, reports/${HISTORY_DIR}/2026-01-01T00-00-00-000Z.json.gz): ` +
      '1 new failure(s), 1 fixed, 6 new case(s), 1 removed, 1 other change(s)');
    expect(log).toContain('  new failure: avro | ours -> python | http | mail | http.server | mail-send-unicode (pass → fail)');
  });

  it('re-rendering the same run compares it with the run before, not with itself', async () => {
    const again: string[] = [];
    await renderAll(dir, { log: (line) => again.push(line) });
    expect(again[0]).toBe(log[0]);
  });

  it('keeps the page small and the cases in per-family data files', () => {
    const html = readFileSync(join(dir, 'matrix.html'), 'utf8');
    expect(html).not.toContain('Sent message to 张三'); // a case's detail is in matrix-data/avro.js
    expect(readFileSync(join(dir, 'matrix-data', 'avro.js'), 'utf8')).toContain('Sent message to 张三');
    expect(html).toContain('"file":"matrix-data/thrift.js"');
  });

  it('indexes every report file with its kind', () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { files: { path: string; kind: string }[] };
    const kind = (path: string): string | undefined => index.files.find((f) => f.path === path)?.kind;
    expect(kind('junit/conformance-avro.xml')).toMatch(/^gate JUnit/);
    expect(kind(`tap-junit/${TAP_NAME}.xml`)).toMatch(/^evidence, not the gate/);
    expect(kind('matrix-data/avro.js')).toMatch(/loaded when a cell is opened/);
    expect(kind(`${HISTORY_DIR}/2026-01-01T00-00-00-000Z.json.gz`)).toMatch(/baseline/);
    expect(readFileSync(join(dir, 'index.md'), 'utf8')).toContain('[matrix.html](matrix.html)');
  });
});

describe('renderAll --baseline', () => {
  it('compares with the results.json given, whatever history holds', async () => {
    const { dir, tap } = reportsWith(fixtureResults);
    const baselineFile = join(dir, 'elsewhere.json');
    writeResults(fixtureBaseline(tap), baselineFile);
    const log: string[] = [];
    await renderAll(dir, { baseline: baselineFile, log: (line) => log.push(line) });
    expect(log[0]).toContain(`(fedcba987654, ${baselineFile}): 1 new failure(s)`);
  });

  it('fails the render, after writing every report, when the baseline given cannot be read', async () => {
    const { dir } = reportsWith(fixtureResults);
    await expect(renderAll(dir, { baseline: join(dir, 'missing.json'), log: () => undefined })).rejects.toThrow(/--baseline: baseline .*missing\.json/);
    expect(readFileSync(join(dir, 'matrix.md'), 'utf8')).toMatch(/> \*\*No comparison:\*\* baseline .*missing\.json: ENOENT/);
  });

  it('says so when the run was interrupted', async () => {
    const { dir } = reportsWith((tap) => {
      const run = fixtureResults(tap);
      return { ...run, run: { ...run.run, vitestState: 'interrupted', interrupted: { reason: 'Ctrl-C after 3 of 9 cells' } } };
    });
    await renderAll(dir, { log: () => undefined });
    expect(readFileSync(join(dir, 'matrix.md'), 'utf8')).toContain('> **Run interrupted: Ctrl-C after 3 of 9 cells.** Cases that did not run are listed as skipped.');
  });

  it('says there is nothing to compare with on a first run', async () => {
    const { dir } = reportsWith(fixtureResults);
    const log: string[] = [];
    await renderAll(dir, { log: (line) => log.push(line) });
    expect(log).toEqual([]);
    expect(readFileSync(join(dir, 'matrix.md'), 'utf8')).toContain('_No previous run to compare with');
  });
});

describe('validateJunit', () => {
  it('rejects malformed XML and wrong counts', () => {
    expect(() => validateJunit('<testsuites><testsuite name="a"></testsuites>')).toThrow(/mismatched/);
    expect(() => validateJunit('<testsuite name="a" tests="2"><testcase name="x"/></testsuite>')).toThrow(/tests=2, has 1/);
    expect(() => validateJunit('<testsuite name="a"><testcase name="a & b"/></testsuite>')).toThrow(/bare '&'/);
    expect(() => validateJunit('<html/>')).toThrow(/root element/);
  });
});

describe('the unit tests\' JUnit (junit/unit.xml)', () => {
  const files: UnitFile[] = [
    { file: 'harness/a.test.ts', errors: [], tests: [
      { name: 'a > passes', state: 'passed', durationMs: 12, errors: [] },
      { name: 'a > fails', state: 'failed', durationMs: 3, errors: ['AssertionError: expected 1 to be 2\n    at a.test.ts:3:9'] },
      { name: 'a > skips', state: 'skipped', durationMs: 0, errors: [], skipNote: 'no Chromium' },
      { name: 'a > never ran', state: 'pending', durationMs: 0, errors: [] },
    ] },
    { file: 'harness/broken.test.ts', errors: ['SyntaxError: Unexpected token'], tests: [] },
  ];

  it('is valid JUnit: a suite per file, a failing testcase for an error outside any test', () => {
    const summary = validateJunit(renderUnitJunit(files, { startedAt: '2026-01-02T03:04:05.000Z', durationMs: 1500 }));
    expect(summary).toMatchObject({ suites: 2, tests: 5, failures: 2, skipped: 2 });
    expect(summary.testcaseNames).toContain('harness/broken.test.ts (outside any test)');
  });

  it('survives renderAll, which clears every other file of junit/, and is indexed', async () => {
    const { dir } = reportsWith(fixtureResults, 'conformance-reports-unit-');
    mkdirSync(join(dir, 'junit'));
    writeFileSync(join(dir, UNIT_JUNIT), renderUnitJunit(files, { startedAt: '2026-01-02T03:04:05.000Z', durationMs: 1500 }));
    writeFileSync(join(dir, 'junit', 'conformance-gone.xml'), '<testsuites/>');
    mkdirSync(join(dir, 'tap-junit'));
    writeFileSync(join(dir, 'tap-junit', 'gone.xml'), '<testsuites/>');
    await renderAll(dir, { log: () => undefined });
    expect(readdirSync(join(dir, 'junit')).sort()).toEqual(['conformance-avro.xml', 'conformance-thrift.xml', 'unit.xml']);
    expect(readdirSync(join(dir, 'tap-junit'))).toEqual([`${TAP_NAME}.xml`]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { files: { path: string; kind: string }[] };
    expect(index.files.find((f) => f.path === UNIT_JUNIT)?.kind).toMatch(/unit tests/);
  });
});
