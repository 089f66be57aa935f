// The conformance CLI: list | run | report (usage in args.ts). Run with node (type stripping):
//   node harness/cli/main.ts list --family avro --direction ts-server
import { existsSync } from 'node:fs';
import { renderAll } from '../reports/render.ts';
import { readResults, reportsDir, resultsFile } from '../results/files.ts';
import { parseCli, type CliOptions } from './args.ts';
import { listCells } from './catalogue.ts';
import { formatList } from './list.ts';
import { reproduceCommands } from './reproduce.ts';
import { runMatrix } from './run.ts';

async function report(options: CliOptions): Promise<number> {
  const file = resultsFile();
  if (!existsSync(file)) {
    process.stderr.write(`conformance: no ${file}; run \`conformance run\` (or npm run matrix) first\n`);
    return 1;
  }
  const written = await renderAll(reportsDir(), options.baseline ? { baseline: options.baseline } : {});
  process.stdout.write(`rendered from ${file}:\n${written.map((w) => `  reports/${w}`).join('\n')}\n`);
  const run = readResults(file);
  for (const problem of run.gate.problems) process.stdout.write(`  ${problem}\n`);
  process.stdout.write(`gate: ${run.gate.ok ? 'passed' : `FAILED (${run.gate.problems.length} problem(s))`}\n`);
  return run.gate.ok ? 0 : 1;
}

async function main(options: CliOptions): Promise<number> {
  switch (options.command) {
    case 'list': {
      const cells = listCells(options.filter, options.caseGlob);
      process.stdout.write(options.json ? `${JSON.stringify(cells, null, 2)}\n` : formatList(cells));
      // Exit 1 when a filter selects nothing: usually a misspelt value.
      return cells.length > 0 ? 0 : 1;
    }
    case 'report':
      return report(options);
    case 'run': {
      const code = await runMatrix(options);
      if (existsSync(resultsFile())) {
        const run = readResults();
        process.stdout.write(`reports: ${reportsDir()}/matrix.md, matrix.html, junit/, results.json\n`);
        if (options.keep) {
          const lines = reproduceCommands(run);
          process.stdout.write(lines.length > 0 ? `\nReproduce the failing cells by hand (containers kept):\n${lines.join('\n')}\n` : '\nNo failing cell to reproduce.\n');
        }
      }
      return code;
    }
  }
}

let options: CliOptions;
try {
  options = parseCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
main(options).then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`conformance: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
