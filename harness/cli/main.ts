// The conformance CLI: list | run | test | report (usage in args.ts). Run with node (type stripping):
//   node harness/cli/main.ts list --family avro --direction ts-server
// It never calls process.exit after writing: the exit code is set and Node ends when stdout is
// flushed, so `list --json | jq` gets the whole document however large it is.
// Only what --help, list and the checks of a selection need is imported here; the commands that
// start containers or vitest are in commands.ts, imported when one of them runs.
import { loadImplementations, resolveImplementationSpec } from '../contract/load.ts';
import { AXIS_FLAGS, parseCli, USAGE, UsageError, type CliOptions } from './args.ts';
import { axisValues, filterProblems, versionProblems } from './axis-values.ts';
import { listCells } from './catalogue.ts';
import { formatList } from './list.ts';
import { write } from './output.ts';
import type { VersionedImplementation } from '../results/model.ts';
import { describeImplementations } from '../results/references.ts';
import type { Cell } from '../matrix/axes.ts';

const flagOf = (axis: keyof Cell): string =>
  (Object.entries(AXIS_FLAGS).find(([, a]) => a === axis)?.[0] ?? axis);

async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    const parsed = parseCli(argv);
    if (parsed === 'help') {
      await write(process.stdout, USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    await write(process.stderr, `${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options.command === 'report') return (await import('./commands.ts')).report(options);
  if (options.command === 'images') return (await import('./commands.ts')).images(options);

  // What is under test: in-tree ids stay ids, paths and packages become absolute module paths.
  let implementations: string[];
  let described: VersionedImplementation[];
  try {
    implementations = options.implementations.map((spec) => resolveImplementationSpec(spec) ?? spec);
    const loaded = await loadImplementations(implementations.length > 0 ? implementations : undefined);
    described = describeImplementations(loaded);
    // Every value of every axis takes ~0.25 s to gather (all cells of all releases): only with a filter.
    const filtered = Object.values(options.filter).some((value) => value !== undefined);
    const problems = [...(filtered ? filterProblems(options.filter, axisValues(loaded), flagOf) : []), ...versionProblems(options.versions)];
    if (problems.length > 0) throw new UsageError(problems.join('\n'));
  } catch (error) {
    await write(process.stderr, `conformance: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (implementations.length > 0) process.env['CONFORMANCE_IMPLEMENTATIONS'] = JSON.stringify(implementations);

  const cells = await listCells(options.filter, { caseGlob: options.caseGlob, ...(options.versions ? { versions: options.versions } : {}) });
  const cases = cells.reduce((sum, c) => sum + c.cases.length, 0);
  if (options.command === 'list') {
    await write(process.stdout, options.json ? `${JSON.stringify(cells, null, 2)}\n` : formatList(cells));
    if (cases === 0) await write(process.stderr, 'conformance: the options select no case (see `list` without them, and --help)\n');
    return cases > 0 ? 0 : 1;
  }
  // An empty selection is an error, never a green run.
  if (cases === 0 && (options.command === 'run' || Object.keys(options.filter).length > 0 || options.caseGlob)) {
    await write(process.stderr, 'conformance: the options select no case, so nothing would be tested; see `conformance list` with the same options\n');
    return 1;
  }
  // For the README's examples test: everything up to here (parsing, checking, selecting) is real.
  if (process.env['CONFORMANCE_DRY_RUN'] === '1') {
    await write(process.stdout, `dry run: ${options.command} would run ${cells.length} cell(s), ${cases} case(s)\n`);
    return 0;
  }
  return (await import('./commands.ts')).runSelected(options, implementations, described);
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`conformance: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
