// The CLI's command line: a command, axis filters, a case glob, and run options.
import { parseArgs } from 'node:util';
import type { CellFilter } from '../matrix/cells.ts';

export type Command = 'list' | 'run' | 'report';

export interface CliOptions {
  readonly command: Command;
  readonly filter: CellFilter;
  readonly caseGlob?: string;
  readonly jobs?: number;
  readonly caseTimeoutSeconds?: number;
  readonly cellTimeoutSeconds?: number;
  readonly retries?: number;
  readonly trace: boolean;
  /** Case glob: those ts-client cases run through the fault proxy (harness/wire/fault-proxy.ts). */
  readonly injectFault?: string;
  /** run, report: the results.json (or .json.gz) the reports compare with, instead of the previous run. */
  readonly baseline?: string;
  readonly keep: boolean;
  readonly json: boolean;
}

/** CLI flag -> the axis it filters (the names of harness/matrix/axes.ts Cell). */
export const AXIS_FLAGS = {
  family: 'family', direction: 'direction', implementation: 'implementation', peer: 'peer', client: 'client',
  server: 'server', transport: 'transport', protocol: 'protocol', 'server-kind': 'serverKind',
} as const satisfies Record<string, keyof CellFilter>;

export const USAGE = `usage: conformance <list|run|report> [options]

  list      print every cell and case the filters select; starts nothing
  run       run the conformance suites (vitest, project "conformance"), then write reports/
  report    re-render every report from reports/results.json

filters (any combination; exact values, see \`list\`):
  --family F (avro, thrift, avro-datafile)  --direction D (ts-client, ts-server, ...)  --implementation ID  --peer ID
  --client ID  --server ID  --transport T  --protocol P  --server-kind K
  --case GLOB           case ids, '*' matches anything (e.g. 'echo-long-*')
  (avro-datafile: --client is the writer, --server the reader, --transport the codec, --protocol the schema set)

run options:
  --jobs N              test files run in parallel (default 2)
  --case-timeout S      seconds one case may take (default 60)
  --cell-timeout S      seconds one cell's setup / peer client run may take (default 300)
  --retries N           extra attempts for every failing case (counted and reported)
  --trace               record every case's wire bytes (reports show them for passing cases too)
  --inject-fault GLOB   on purpose, break one byte per connection of the ts-client cases matching GLOB:
                        shows what a wire-level failure looks like in the reports (the run fails)
  --keep                leave peer containers running; print commands to reproduce failing cells
  --baseline FILE       compare with this results.json (plain or .gz) instead of the previous run
                        kept in reports/history/ (also for report)
list options:
  --json                machine-readable output
`;

function positiveNumber(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)) || (flag !== 'retries' && value === 0)) {
    throw new Error(`--${flag} ${raw}: expected a ${integer ? 'whole' : 'positive'} number`);
  }
  return value;
}

export function parseCli(argv: readonly string[]): CliOptions {
  const parsed = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...Object.fromEntries(Object.keys(AXIS_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      case: { type: 'string' }, jobs: { type: 'string' }, 'case-timeout': { type: 'string' }, 'cell-timeout': { type: 'string' },
      retries: { type: 'string' }, trace: { type: 'boolean' }, 'inject-fault': { type: 'string' }, baseline: { type: 'string' }, keep: { type: 'boolean' }, json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  // Axis flags are built from AXIS_FLAGS, so the parsed values are read as a plain record.
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const [command, ...extra] = parsed.positionals;
  if (values['help'] || command === undefined) throw new Error(USAGE);
  if (command !== 'list' && command !== 'run' && command !== 'report') throw new Error(`unknown command "${command}"\n${USAGE}`);
  if (extra.length > 0) throw new Error(`unexpected argument(s): ${extra.join(' ')}\n${USAGE}`);
  const filter: Record<string, string> = {};
  for (const [flag, axis] of Object.entries(AXIS_FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') filter[axis] = value;
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const jobs = positiveNumber('jobs', text('jobs'), true);
  const caseTimeoutSeconds = positiveNumber('case-timeout', text('case-timeout'), false);
  const cellTimeoutSeconds = positiveNumber('cell-timeout', text('cell-timeout'), false);
  const retries = positiveNumber('retries', text('retries'), true);
  const caseGlob = text('case');
  const injectFault = text('inject-fault');
  const baseline = text('baseline');
  return {
    command,
    // Values are checked by matching, not here: suites may add families and directions (see `list`).
    filter: filter as CellFilter,
    ...(caseGlob !== undefined ? { caseGlob } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(caseTimeoutSeconds !== undefined ? { caseTimeoutSeconds } : {}),
    ...(cellTimeoutSeconds !== undefined ? { cellTimeoutSeconds } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(injectFault !== undefined ? { injectFault } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    trace: values['trace'] === true,
    keep: values['keep'] === true,
    json: values['json'] === true,
  };
}
