// `conformance run`: hands the filters and options to the test run through the environment, runs
// vitest programmatically (project "conformance") with the results reporter and the progress
// reporter, and returns the exit code. The results reporter writes reports/ on every run.
import { resolve } from 'node:path';
import { startVitest } from 'vitest/node';
import { BASELINE_ENV } from '../reports/history.ts';
import { ConformanceResultsReporter } from '../results/reporter.ts';
import { ENV } from '../results/run-options.ts';
import type { CliOptions } from './args.ts';
import { ProgressReporter } from './progress-reporter.ts';

/** Environment for the run; vitest.config.ts reads CONFORMANCE_JOBS and CONFORMANCE_RETRIES. */
export function runEnvironment(options: CliOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (Object.keys(options.filter).length > 0) env[ENV.filter] = JSON.stringify(options.filter);
  if (options.caseGlob) env[ENV.caseGlob] = options.caseGlob;
  if (options.caseTimeoutSeconds !== undefined) env[ENV.caseTimeoutMs] = String(Math.round(options.caseTimeoutSeconds * 1000));
  if (options.cellTimeoutSeconds !== undefined) env[ENV.cellTimeoutSeconds] = String(options.cellTimeoutSeconds);
  if (options.trace) env[ENV.trace] = '1';
  if (options.injectFault) env[ENV.injectFault] = options.injectFault;
  // The results reporter renders the reports; renderAll reads the baseline from here.
  if (options.baseline) env[BASELINE_ENV] = resolve(options.baseline);
  if (options.keep) env[ENV.keep] = '1';
  if (options.jobs !== undefined) env['CONFORMANCE_JOBS'] = String(options.jobs);
  if (options.retries !== undefined) env['CONFORMANCE_RETRIES'] = String(options.retries);
  return env;
}

export async function runMatrix(options: CliOptions): Promise<number> {
  const env = runEnvironment(options);
  // Cleared first so that nothing left in the caller's shell narrows the run silently.
  for (const name of [...Object.values(ENV), 'CONFORMANCE_JOBS', 'CONFORMANCE_RETRIES', BASELINE_ENV]) delete process.env[name];
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) process.stdout.write(`conformance: ${name}=${value}\n`);
  const vitest = await startVitest('test', [], {
    run: true,
    watch: false,
    project: ['conformance'],
    reporters: [new ConformanceResultsReporter(), new ProgressReporter()],
  });
  await vitest.close();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
