// JUnit for the unit tests (vitest project "unit"): reports/junit/unit.xml, one <testsuite> per
// test file, one <testcase> per test (named with its describe path). Written by the results
// reporter at the end of every run that includes the conformance project (npm test): unlike the
// other JUnit files it cannot be rendered from results.json, so renderAll keeps it and the
// reporter removes it when a run had no unit tests (it would describe an earlier run).
import type { TestModule } from 'vitest/node';
import { attributes, escapeText } from './xml.ts';

export const UNIT_PROJECT = 'unit';
/** Relative to the reports folder. */
export const UNIT_JUNIT = 'junit/unit.xml';

export interface UnitTest {
  readonly name: string;
  readonly state: 'passed' | 'failed' | 'skipped' | 'pending';
  readonly durationMs: number;
  /** Failed tests: each error's message and stack. */
  readonly errors: readonly string[];
  readonly skipNote?: string;
}

export interface UnitFile {
  /** Repository-relative path of the test file. */
  readonly file: string;
  readonly tests: readonly UnitTest[];
  /** Errors outside any test: the file did not load, a hook threw. */
  readonly errors: readonly string[];
}

function errorText(error: { message?: unknown; name?: unknown; stack?: unknown }): string {
  const message = String(error.message ?? error.name ?? 'unknown error');
  const stack = typeof error.stack === 'string' ? error.stack : '';
  return stack.includes(message) ? stack : [message, stack].filter(Boolean).join('\n');
}

/** The unit project's test files of a run, as plain data. */
export function unitFiles(modules: readonly TestModule[]): UnitFile[] {
  return modules.filter((m) => m.project.name === UNIT_PROJECT).map((module) => ({
    file: module.relativeModuleId,
    errors: module.errors().map(errorText),
    tests: [...module.children.allTests()].map((test): UnitTest => {
      const result = test.result();
      return {
        name: test.fullName,
        state: result.state,
        durationMs: test.diagnostic()?.duration ?? 0,
        errors: (result.errors ?? []).map(errorText),
        ...(result.state === 'skipped' && result.note ? { skipNote: result.note } : {}),
      };
    }),
  })).sort((a, b) => a.file.localeCompare(b.file));
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function testcase(file: string, test: UnitTest): string {
  const head = `    <testcase${attributes({ name: test.name, classname: file, time: seconds(test.durationMs) })}`;
  switch (test.state) {
    case 'passed':
      return `${head}/>\n`;
    case 'failed': {
      const first = (test.errors[0] ?? 'failed').split('\n')[0];
      return `${head}>\n      <failure${attributes({ type: 'failed', message: first })}>${escapeText(test.errors.join('\n\n'))}</failure>\n    </testcase>\n`;
    }
    case 'skipped':
    case 'pending':
      return `${head}>\n      <skipped${attributes({ message: test.skipNote ?? (test.state === 'pending' ? 'did not run (the run ended first)' : 'skipped') })}/>\n    </testcase>\n`;
  }
}

function isFailure(test: UnitTest): boolean {
  return test.state === 'failed';
}

export function renderUnitJunit(files: readonly UnitFile[], run: { readonly startedAt: string; readonly durationMs: number }): string {
  let total = 0, failures = 0, skipped = 0;
  const suites = files.map((file) => {
    // An error outside any test (a file that does not load, a hook that throws) is one failing testcase.
    const tests: UnitTest[] = [
      ...file.tests,
      ...(file.errors.length > 0 ? [{ name: `${file.file} (outside any test)`, state: 'failed' as const, durationMs: 0, errors: file.errors }] : []),
    ];
    const suiteFailures = tests.filter(isFailure).length;
    const suiteSkipped = tests.filter((t) => t.state === 'skipped' || t.state === 'pending').length;
    total += tests.length; failures += suiteFailures; skipped += suiteSkipped;
    const time = tests.reduce((sum, t) => sum + t.durationMs, 0);
    return `  <testsuite${attributes({
      name: `unit | ${file.file}`, tests: tests.length, failures: suiteFailures, errors: 0, skipped: suiteSkipped, time: seconds(time), timestamp: run.startedAt,
    })}>\n${tests.map((t) => testcase(file.file, t)).join('')}  </testsuite>\n`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes({
    name: 'unit', tests: total, failures, errors: 0, skipped, time: seconds(run.durationMs),
  })}>\n${suites.join('')}</testsuites>\n`;
}
