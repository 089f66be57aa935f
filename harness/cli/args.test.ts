import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.ts';
import { runEnvironment } from './run.ts';

describe('parseCli', () => {
  it('reads the command, every axis filter, the case glob and run options', () => {
    const options = parseCli(['run', '--family', 'thrift', '--peer', 'java', '--direction', 'ts-server', '--transport', 'framed',
      '--protocol', 'compact', '--server-kind', 'threaded', '--implementation', 'ours', '--case', 'echo-*', '--jobs', '1',
      '--case-timeout', '2.5', '--cell-timeout', '120', '--retries', '0', '--trace', '--keep']);
    expect(options).toMatchObject({
      command: 'run', caseGlob: 'echo-*', jobs: 1, caseTimeoutSeconds: 2.5, cellTimeoutSeconds: 120, retries: 0, trace: true, keep: true,
      filter: { family: 'thrift', peer: 'java', direction: 'ts-server', transport: 'framed', protocol: 'compact', serverKind: 'threaded', implementation: 'ours' },
    });
  });

  it('hands the options to the run as the environment variables the harness reads', () => {
    expect(runEnvironment(parseCli(['run', '--family', 'avro', '--case', 'mail-*', '--case-timeout', '2', '--keep', '--jobs', '1']))).toEqual({
      CONFORMANCE_FILTER: '{"family":"avro"}', CONFORMANCE_CASE: 'mail-*', CONFORMANCE_CASE_TIMEOUT_MS: '2000',
      CONFORMANCE_KEEP: '1', CONFORMANCE_JOBS: '1',
    });
    expect(runEnvironment(parseCli(['run']))).toEqual({});
    expect(runEnvironment(parseCli(['run', '--baseline', 'old/results.json']))).toEqual({ CONFORMANCE_BASELINE: resolve('old/results.json') });
    expect(parseCli(['report', '--baseline', 'old/results.json.gz']).baseline).toBe('old/results.json.gz');
  });

  it('rejects what it does not understand', () => {
    expect(() => parseCli([])).toThrow(/usage/);
    expect(() => parseCli(['lsit'])).toThrow(/unknown command "lsit"/);
    expect(() => parseCli(['run', '--jobs', '0'])).toThrow(/--jobs 0/);
    expect(() => parseCli(['run', '--colour'])).toThrow();
  });
});
