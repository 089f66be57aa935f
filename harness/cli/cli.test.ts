// The CLI as a person and a CI script use it: misspellings and empty selections are errors that
// say why, --help is an answer, output survives a pipe, and the README's examples work. Runs the
// real `node harness/cli/main.ts` without Docker (no docker binary on PATH, no engine).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/peers.ts';
import type { ListedCell } from './catalogue.ts';
import { FAMILIES } from '../matrix/axes.ts';

const ENV = { PATH: dirname(process.execPath), DOCKER_HOST: 'unix:///nonexistent/docker.sock', CONFORMANCE_REPORTS_DIR: '/nonexistent-reports' };

function cli(args: readonly string[], extra: Record<string, string> = {}) {
  return execa(process.execPath, [join(REPO_ROOT, 'harness', 'cli', 'main.ts'), ...args], {
    cwd: REPO_ROOT, reject: false, extendEnv: false, timeout: 120_000, env: { ...ENV, ...extra },
  });
}

// Each call starts the CLI, which loads every adapter and plans the selection (0.6-2 s on an idle
// 2-core machine, 3-4 s for every release of the Thrift family; more under load): the README test
// makes a dozen of them.
describe('the conformance CLI', { timeout: 300_000 }, () => {
  it('answers --help on stdout with exit 0', async () => {
    const run = await cli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^usage: conformance <list\|run\|test\|report\|images>/);
    expect(run.stderr).toBe('');
  });

  it('stops on a misspelt filter value with the valid values and a did-you-mean, for list and run alike', async () => {
    for (const command of ['list', 'run']) {
      const run = await cli([command, '--peer', 'pyhton']);
      expect(run.exitCode, command).toBe(2);
      expect(run.stderr).toMatch(/--peer pyhton: no such value \(did you mean "python"\?\); valid values: .*java.*python/);
    }
    const family = await cli(['list', '--family', 'thirft']);
    expect(family.stderr).toMatch(/did you mean "thrift"/);
    const versions = await cli(['list', '--versions', '9.9.9']);
    expect(versions.exitCode).toBe(2);
    expect(versions.stderr).toMatch(/--versions 9\.9\.9: no such value/);
  });

  it('refuses a selection without a case instead of passing it', async () => {
    const list = await cli(['list', '--case', 'no-such-case-*']);
    expect(list.exitCode).toBe(1);
    expect(list.stderr).toMatch(/select no case/);
    const run = await cli(['run', '--case', 'no-such-case-*']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/select no case, so nothing would be tested/);
  });

  it('says what a bad option value should have been', async () => {
    const jobs = await cli(['run', '--jobs', '0']);
    expect(jobs.exitCode).toBe(2);
    expect(jobs.stderr).toMatch(/--jobs 0: expected a whole number of at least 1/);
    const command = await cli(['lsit']);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toMatch(/unknown command "lsit" \(commands: list, run, test, report, images\)/);
  });

  it('writes the whole catalogue through a pipe: `list --json` parses, however large', async () => {
    const run = await execa(`${JSON.stringify(process.execPath)} harness/cli/main.ts list --json | cat`, {
      shell: true, cwd: REPO_ROOT, reject: false, extendEnv: false, env: { ...ENV, PATH: `${ENV.PATH}:/usr/bin:/bin` }, timeout: 120_000,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(200_000); // far beyond a pipe's 64 KiB buffer
    const cells = JSON.parse(run.stdout) as ListedCell[];
    expect(new Set(cells.map((c) => c.cell.family))).toEqual(new Set(FAMILIES));
    expect(cells.every((c) => c.cases.length > 0)).toBe(true);
  });

  it('runs every example of the README as written (up to the point where containers would start)', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const examples = blocks.flatMap((b) => b.split('\n')).map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => /^npm run (matrix|conformance)( |$)/.test(line));
    expect(examples.length).toBeGreaterThan(5);
    for (const example of examples) {
      const [, script, rest] = /^npm run (matrix|conformance)(?: -- )?(.*)$/.exec(example) ?? [];
      const args = (rest ?? '').split(/\s+/).filter(Boolean).map((a) => a.replace(/^'(.*)'$/, '$1'));
      const run = await cli(script === 'matrix' ? ['run', ...args] : args, { CONFORMANCE_DRY_RUN: '1' });
      expect(run.exitCode, `${example}\n${run.stderr}`).toBe(0);
    }
    // A dozen CLI processes, each planning its selection (38 s together in a loaded unit run on
    // 2026-12-01, 44 s before the CLI loaded its heavy commands lazily): beyond the default 60 s.
  }, 240_000);
});
