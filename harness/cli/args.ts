// The CLI's command line: a command, axis filters, a case glob, the implementations and peer
// releases under test, and run options. Parsing only; the values are checked against what the
// run declares in axis-values.ts (a misspelt value is an error with a list and a did-you-mean).
import { parseArgs } from 'node:util';
import type { CellFilter } from '../matrix/cells.ts';

export type Command = 'list' | 'run' | 'test' | 'report' | 'images';
export const COMMANDS: readonly Command[] = ['list', 'run', 'test', 'report', 'images'];

export interface CliOptions {
  readonly command: Command;
  readonly filter: CellFilter;
  readonly caseGlob?: string;
  /** --implementation values as given: in-tree ids, adapter paths, npm package names. */
  readonly implementations: readonly string[];
  /** --versions: "default", "all", or a comma list of versions / peer@version. */
  readonly versions?: string;
  readonly jobs?: number;
  readonly caseTimeoutSeconds?: number;
  readonly cellTimeoutSeconds?: number;
  readonly retries?: number;
  readonly trace: boolean;
  /** Case glob: those ts-client cases run through the fault proxy (harness/wire/fault-proxy.ts). */
  readonly injectFault?: string;
  readonly keep: boolean;
  readonly json: boolean;
  /** --shard i/n: run one of n parts of the test files (vitest --shard), leaving a blob report. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** report --merge DIR: render one report from the shards' blob reports in DIR. */
  readonly merge?: string;
  /** --baseline FILE: a previous results.json to compare this run with. */
  readonly baseline?: string;
  /** test only: test files (or parts of their paths) to run, as vitest takes them. */
  readonly files: readonly string[];
}

/** CLI flag -> the axis it filters (the names of harness/matrix/axes.ts Cell). */
export const AXIS_FLAGS = {
  family: 'family', direction: 'direction', peer: 'peer', client: 'client', server: 'server',
  transport: 'transport', protocol: 'protocol', socket: 'socket', 'server-kind': 'serverKind',
} as const satisfies Record<string, keyof CellFilter>;

export const USAGE = `usage: conformance <list|run|test|report|images> [options]   (test also takes test files: test suites/thrift)

  list      print every cell and case the options select; starts nothing
  run       run the conformance matrix (peer containers), then write reports/ (npm run matrix)
  test      typecheck, lint, unit tests and the conformance matrix (npm test)
  report    re-render every report from reports/results.json (or merge shards: --merge DIR)
  images    build the reference images the options select (CI builds them once for every shard)

what is under test:
  --implementation X    repeatable; an in-tree implementation id (ours, avsc5, avro-js, npm-thrift), a path
                        to an adapter module (./my-adapter.ts), or an npm package whose entry exports one.
                        Default: every in-tree implementation. See impls/README.md.
  --versions V          reference releases: default (each peer's newest), all, or a comma list of
                        versions / peer@version (e.g. java@0.16.0,1.11.5)

filters (any combination; exact values, see \`list\`):
  --family F (avro, thrift, avro-datafile, hostile)  --direction D (ts-client, ts-server, ...)  --peer ID
  --client ID  --server ID  --transport T  --protocol P  --socket S (tcp, tls, unix)  --server-kind K
  --case GLOB           case ids, '*' matches anything (e.g. 'echo-long-*')
  (avro-datafile: --client is the writer, --server the reader, --transport the codec, --protocol the schema set)

run options:
  --jobs N              test files run in parallel (default 4)
  --case-timeout S      seconds one case may take (default 60)
  --cell-timeout S      seconds one cell's setup / peer client run may take (default 300)
  --retries N           extra attempts for every failing case (counted and reported)
  --trace               record every case's wire bytes (reports show them for passing cases too)
  --inject-fault GLOB   on purpose, break one byte per connection of the ts-client cases matching GLOB:
                        shows what a wire-level failure looks like in the reports (the run fails)
  --keep                leave peer containers running; print commands to reproduce failing cells
  --shard I/N           run part I of N (CI jobs side by side); merge with \`report --merge DIR\`
  --baseline FILE       compare with this results.json (plain or .gz) instead of the previous run (kept in reports/history/)
list options:
  --json                machine-readable output
report options:
  --merge DIR           the blob reports of every shard (reports/blob/ of each job)
  --baseline FILE       as for run
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function wholeNumber(flag: string, raw: string | undefined, minimum: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new UsageError(`--${flag} ${raw}: expected a whole number of at least ${minimum}`);
  return value;
}

function seconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${flag} ${raw}: expected a number of seconds greater than 0`);
  return value;
}

function shardOf(raw: string | undefined): CliOptions['shard'] {
  if (raw === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${raw}: expected I/N with 1 <= I <= N (e.g. 2/4)`);
  return { index, count };
}

/**
 * The one value of each option in `flags`, which parseArgs read as lists (`multiple`) so that one
 * given twice is seen: node keeps the last of a repeated string option, silently. Throws, naming
 * the values, when one was given more than once (`hint` adds to the message per flag).
 */
export function oneEach(given: Readonly<Record<string, unknown>>, flags: readonly string[], hint: (flag: string) => string = () => ''): Record<string, string | undefined> {
  const single: Record<string, string | undefined> = {};
  for (const flag of flags) {
    const list = given[flag];
    if (!Array.isArray(list)) continue;
    if (list.length > 1) throw new Error(`--${flag} given ${list.length} times (${list.join(', ')}): it takes one value; run once per value${hint(flag)}`);
    single[flag] = typeof list[0] === 'string' ? list[0] : undefined;
  }
  return single;
}

/** The options besides the axes that take one value each. */
const SINGLE_VALUED = ['case', 'versions', 'jobs', 'case-timeout', 'cell-timeout', 'retries', 'inject-fault', 'shard', 'merge', 'baseline'];

/** Parses argv; throws UsageError (with the usage) for anything it cannot read. `--help` is the caller's. */
export function parseCli(argv: readonly string[]): CliOptions | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        // Every string option is read as a list, so that one given twice is an error below rather
        // than node's silent "the last one wins" (`--peer java --peer python` ran python only).
        ...Object.fromEntries([...Object.keys(AXIS_FLAGS), ...SINGLE_VALUED].map((flag) => [flag, { type: 'string' as const, multiple: true }])),
        implementation: { type: 'string', multiple: true },
        trace: { type: 'boolean' }, keep: { type: 'boolean' }, json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const given = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (given['help']) return 'help';
  let single: Record<string, string | undefined>;
  try {
    single = oneEach(given, [...Object.keys(AXIS_FLAGS), ...SINGLE_VALUED], (flag) => (flag in AXIS_FLAGS ? ', or leave it out to take every value' : ''));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const values: Record<string, string | boolean | string[] | undefined> = { ...given, ...single };
  const [command, ...extra] = parsed.positionals;
  if (command === undefined) throw new UsageError(`no command given\n\n${USAGE}`);
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})\n\n${USAGE}`);
  if (extra.length > 0 && command !== 'test') throw new UsageError(`unexpected argument(s): ${extra.join(' ')}\n\n${USAGE}`);
  const filter: Record<string, string> = {};
  for (const [flag, axis] of Object.entries(AXIS_FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') filter[axis] = value;
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : { [key]: value } as Record<K, V>);
  return {
    command: command as Command,
    filter: filter as CellFilter,
    implementations: (values['implementation'] as string[] | undefined) ?? [],
    ...optional('caseGlob', text('case')),
    ...optional('versions', text('versions')),
    ...optional('jobs', wholeNumber('jobs', text('jobs'), 1)),
    ...optional('caseTimeoutSeconds', seconds('case-timeout', text('case-timeout'))),
    ...optional('cellTimeoutSeconds', seconds('cell-timeout', text('cell-timeout'))),
    ...optional('retries', wholeNumber('retries', text('retries'), 0)),
    ...optional('injectFault', text('inject-fault')),
    ...optional('shard', shardOf(text('shard'))),
    ...optional('merge', text('merge')),
    ...optional('baseline', text('baseline')),
    files: extra,
    trace: values['trace'] === true,
    keep: values['keep'] === true,
    json: values['json'] === true,
  };
}
