import { describe, expect, it } from 'vitest';
import { parseCli, UsageError, type CliOptions } from './args.ts';
import { runEnvironment } from './run.ts';

function options(argv: string[]): CliOptions {
  const parsed = parseCli(argv);
  if (parsed === 'help') throw new Error('expected options, got help');
  return parsed;
}

describe('parseCli', () => {
  it('reads the command, every axis filter, the case glob, what is under test and run options', () => {
    expect(options(['run', '--family', 'thrift', '--peer', 'java', '--direction', 'ts-server', '--transport', 'framed',
      '--protocol', 'compact', '--socket', 'tls', '--server-kind', 'threaded', '--implementation', 'ours', '--implementation', './x.ts',
      '--versions', 'all', '--case', 'echo-*', '--jobs', '1', '--case-timeout', '2.5', '--cell-timeout', '120', '--retries', '0',
      '--trace', '--keep', '--shard', '2/3'])).toMatchObject({
      command: 'run', caseGlob: 'echo-*', jobs: 1, caseTimeoutSeconds: 2.5, cellTimeoutSeconds: 120, retries: 0, trace: true, keep: true,
      implementations: ['ours', './x.ts'], versions: 'all', shard: { index: 2, count: 3 },
      filter: { family: 'thrift', peer: 'java', direction: 'ts-server', transport: 'framed', protocol: 'compact', socket: 'tls', serverKind: 'threaded' },
    });
  });

  it('hands the options to the run as the environment variables the harness reads', () => {
    expect(runEnvironment(options(['run', '--family', 'avro', '--case', 'mail-*', '--case-timeout', '2', '--keep', '--jobs', '1', '--versions', 'java@1.11.5']), ['/a/adapter.ts'])).toEqual({
      CONFORMANCE_FILTER: '{"family":"avro"}', CONFORMANCE_CASE: 'mail-*', CONFORMANCE_CASE_TIMEOUT_MS: '2000',
      CONFORMANCE_KEEP: '1', CONFORMANCE_JOBS: '1', CONFORMANCE_VERSIONS: 'java@1.11.5', CONFORMANCE_IMPLEMENTATIONS: '["/a/adapter.ts"]',
    });
    expect(runEnvironment(options(['run']), [])).toEqual({});
  });

  it('hands the run the implementations as described in plain Node, for the reporter in vitest\'s main process', () => {
    const ours = { family: 'avro', id: 'ours', language: 'typescript', source: 'impls/avro', versions: { avsc: '5.7.9' } } as const;
    expect(runEnvironment(options(['run']), [], [ours])).toEqual({ CONFORMANCE_RUN_IMPLEMENTATIONS: JSON.stringify([ours]) });
  });

  it('answers --help with the usage, and test takes test files', () => {
    expect(parseCli(['--help'])).toBe('help');
    expect(parseCli(['run', '-h'])).toBe('help');
    expect(options(['test', 'suites/thrift']).files).toEqual(['suites/thrift']);
  });

  it('rejects what it does not understand, saying what it expected', () => {
    expect(() => parseCli([])).toThrow(UsageError);
    expect(() => parseCli(['lsit'])).toThrow(/unknown command "lsit" \(commands: list, run, test, report, images\)/);
    expect(() => parseCli(['run', '--jobs', '0'])).toThrow(/--jobs 0: expected a whole number of at least 1/);
    expect(() => parseCli(['run', '--retries=-1'])).toThrow(/--retries -1: expected a whole number of at least 0/);
    expect(() => parseCli(['run', '--shard', '3/2'])).toThrow(/--shard 3\/2/);
    expect(() => parseCli(['run', '--colour'])).toThrow(UsageError);
    expect(() => parseCli(['list', 'extra'])).toThrow(/unexpected argument/);
  });

  it('refuses an option that takes one value given twice, instead of keeping the last', () => {
    expect(() => parseCli(['run', '--peer', 'avro-tools', '--peer', 'python-avro-tool'])).toThrow(
      /--peer given 2 times \(avro-tools, python-avro-tool\): it takes one value; run once per value, or leave it out to take every value/);
    expect(() => parseCli(['run', '--case', 'a', '--case=b'])).toThrow(/--case given 2 times \(a, b\): it takes one value; run once per value\n/);
    expect(options(['run', '--implementation', 'ours', '--implementation', 'avsc5']).implementations).toEqual(['ours', 'avsc5']);
  });
});
