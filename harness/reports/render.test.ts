import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/peers.ts';
import { writeResults } from '../results/files.ts';
import { FIXTURE_TAP, fixtureResults } from './fixture-results.ts';
import { validateJunit } from './junit-validate.ts';
import { renderAll } from './render.ts';
import { renderUnitJunit, UNIT_JUNIT, type UnitFile } from './unit-junit.ts';

const dir = mkdtempSync(join(tmpdir(), 'conformance-reports-'));
let written: string[] = [];

beforeAll(async () => {
  mkdirSync(join(dir, 'tap'), { recursive: true });
  const tap = join(dir, 'tap', 'avro.java-to-ours.socket.conformance.default.tap');
  writeFileSync(tap, FIXTURE_TAP);
  writeResults(fixtureResults(tap), join(dir, 'results.json'));
  written = await renderAll(dir);
}, 60_000);

function junitFilesUnder(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.xml')).map((f) => join(folder, f)) : [];
}

describe('renderAll on a fixture results.json', () => {
  it('writes the JUnit files of the model, one per family, and tap-junit\'s file for the TAP', () => {
    expect(written).toEqual(expect.arrayContaining([
      'junit/conformance-avro.xml', 'junit/conformance-thrift.xml', 'matrix.md', 'matrix.html', 'index.json', 'index.md',
      'junit/tap-avro_java-to-ours_socket_conformance_default.xml',
    ]));
  });

  it('every file under junit/ parses as JUnit, with every axis in the model\'s testcase names', () => {
    const files = junitFilesUnder(join(dir, 'junit'));
    expect(files).toHaveLength(3);
    for (const file of files) expect(() => validateJunit(readFileSync(file, 'utf8')), file).not.toThrow();
    const avro = validateJunit(readFileSync(join(dir, 'junit', 'conformance-avro.xml'), 'utf8'));
    expect(avro.tests).toBe(7);
    expect(avro.failures).toBe(2); // the failure and the unexpected pass; the expected failure passes
    expect(avro.skipped).toBe(1);
    expect(avro.testcaseNames).toContain('avro | ts-client | ours -> python | http | mail | http.server | mail-send-unicode');
    const tap = validateJunit(readFileSync(join(dir, 'junit', 'tap-avro_java-to-ours_socket_conformance_default.xml'), 'utf8'));
    expect(tap.testcaseNames).toEqual(expect.arrayContaining(['echo-int-max', 'echo-long-max']));
  });

  it('indexes every report file', () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { files: { path: string; kind: string }[] };
    const paths = index.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['results.json', 'matrix.md', 'matrix.html', 'junit/conformance-avro.xml']));
    expect(index.files.find((f) => f.path.startsWith('junit/tap-'))?.kind).toMatch(/tap-junit/);
    expect(readFileSync(join(dir, 'index.md'), 'utf8')).toContain('[matrix.html](matrix.html)');
  });

  it('renders matrix.md with one client x server table per family and marks', () => {
    const md = readFileSync(join(dir, 'matrix.md'), 'utf8');
    expect(md).toContain('**❌ gate failed**');
    expect(md).toContain('## avro');
    expect(md).toContain('## thrift');
    expect(md).toContain('| **ours** | — | ❌ 2/4 ✗1 ⚑1 ↻1 |'); // ours -> ours is no cell; 4 ran, 2 passed (one after a retry)
    expect(md).toContain('| **java** | ❌ 1/2 ‼1 ⊘1 | — |');
    expect(md).toContain('UNEXPECTED PASS');
    expect(md).toContain('1.12.0');
  });

  it('also validates the JUnit of the last real run, when there is one', () => {
    for (const file of junitFilesUnder(join(REPO_ROOT, 'reports', 'junit'))) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        // A run in progress elsewhere in this tree may be re-rendering junit/ right now.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      expect(() => validateJunit(text), file).not.toThrow();
    }
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
    const at = mkdtempSync(join(tmpdir(), 'conformance-reports-unit-'));
    mkdirSync(join(at, 'tap'));
    const tap = join(at, 'tap', 'avro.java-to-ours.socket.conformance.default.tap');
    writeFileSync(tap, FIXTURE_TAP);
    writeResults(fixtureResults(tap), join(at, 'results.json'));
    mkdirSync(join(at, 'junit'));
    writeFileSync(join(at, UNIT_JUNIT), renderUnitJunit(files, { startedAt: '2026-01-02T03:04:05.000Z', durationMs: 1500 }));
    writeFileSync(join(at, 'junit', 'conformance-gone.xml'), '<testsuites/>');
    await renderAll(at);
    expect(readdirSync(join(at, 'junit')).sort()).toEqual(['conformance-avro.xml', 'conformance-thrift.xml', 'tap-avro_java-to-ours_socket_conformance_default.xml', 'unit.xml']);
    const index = JSON.parse(readFileSync(join(at, 'index.json'), 'utf8')) as { files: { path: string; kind: string }[] };
    expect(index.files.find((f) => f.path === UNIT_JUNIT)?.kind).toMatch(/unit tests/);
    expect(index.files.find((f) => f.path === 'junit/conformance-avro.xml')?.kind).toMatch(/results model/);
  });
});
