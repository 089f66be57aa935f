// Runs the real CLI as a person would, in a child process with its own reports folder, for the
// self-checks that prove the suite's own behaviour (a fault shows, an interruption is reported, an
// out-of-tree adapter plugs in). Nothing of the surrounding vitest run leaks into the nested one.
import { execa, type ResultPromise } from 'execa';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import { ENV } from '../../harness/results/run-options.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';

/** Only in an unfiltered run: a filtered run (a nested one included) is about other cells. */
export const FILTERED = Boolean(process.env[ENV.filter] || process.env[ENV.caseGlob] || process.env[ENV.implementations]);

export function reportsFolder(name: string): string {
  return scratchDirectory(`conformance-${name}-`);
}

/** The environment of a fresh CLI run. */
export function cleanEnvironment(reports: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(VITEST|CONFORMANCE_|NODE_OPTIONS$|TEST$)/.test(name)) env[name] = value;
  }
  return { ...env, CONFORMANCE_REPORTS_DIR: reports, CI: 'true' };
}

export function cli(args: readonly string[], reports: string, timeoutMs = 540_000): ResultPromise<{ all: true; reject: false }> {
  return execa(process.execPath, ['harness/cli/main.ts', ...args], {
    cwd: REPO_ROOT, env: cleanEnvironment(reports), extendEnv: false, reject: false, timeout: timeoutMs, all: true,
  }) as ResultPromise<{ all: true; reject: false }>;
}
