// npm run fuzz -- [--budget N] [--seed S] [--rpc R] [--transport T] [--protocol P] [--only I] [--parallel K]
//
// The hostile family's mutation fuzz with a budget of your choosing, against our servers in a
// child process (loopback only): N mutated requests per transport x protocol (default 2,000),
// from the seed S (default: a new one, printed). --only I reruns the one iteration a failure
// names. Exits 1 when a mutated request broke a bound. npm test runs the same fuzz with a small
// budget (the `fuzz` case of suites/hostile/data/cases.json).
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { FuzzAttack, ServerCase } from '../catalogue.ts';
import { hostileCells } from '../cells.ts';
import { OursProcess } from '../ours/child-process.ts';
import { cellWire } from '../rpc-wire.ts';
import { describeFailures, runFuzz } from './run.ts';

const { values } = parseArgs({
  options: {
    budget: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    rpc: { type: 'string' },
    transport: { type: 'string' },
    protocol: { type: 'string' },
    only: { type: 'string' },
    parallel: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write('usage: npm run fuzz -- [--budget N] [--seed S] [--rpc avro|thrift] [--transport T] [--protocol P] [--only I] [--parallel K]\n');
  process.exit(0);
}

function whole(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} ${raw}: expected a whole number`);
  return n;
}

const seed = whole('seed', values.seed) ?? randomInt(2 ** 31);
const budget = whole('budget', values.budget) ?? 2000;
const only = whole('only', values.only);

// Every ts-server cell with a fuzz case, as the suite plans them (the filter's words are the CLI's).
const cells = hostileCells([], { profile: 'full', filter: { direction: 'ts-server', ...(values.transport ? { transport: values.transport } : {}), ...(values.protocol ? { protocol: values.protocol } : {}) } })
  .flatMap((cell) => cell.cases.filter((c) => c.testCase.target === 'server' && c.testCase.attack.kind === 'fuzz' && (!values.rpc || cell.rpc === values.rpc))
    .map((c) => ({ cell, testCase: c.testCase as ServerCase })));
if (cells.length === 0) throw new Error(`no fuzz cell for --rpc ${values.rpc ?? '*'} --transport ${values.transport ?? '*'} --protocol ${values.protocol ?? '*'}`);

process.stdout.write(`fuzz: seed ${seed}, ${only !== undefined ? `iteration ${only} only` : `${budget} mutated requests per cell`}, ${cells.length} cell(s)\n`);
const ours = await OursProcess.start();
let failed = 0;
try {
  for (const { cell, testCase } of cells) {
    const attack = testCase.attack as FuzzAttack;
    const parallel = whole('parallel', values.parallel) ?? attack.parallel;
    const { transport, protocol } = cell.cell;
    const port = await ours.listen({ rpc: cell.rpc, transport, protocol, ...(testCase.limits ? { limits: testCase.limits } : {}) });
    const report = await runFuzz({ wire: () => cellWire(cell.rpc, transport, protocol), port, pid: ours.pid }, {
      seed, cellKey: `${cell.rpc}/${transport}/${protocol}`, seeds: attack.seeds, budget, parallel, watchMs: testCase.expect.withinMs,
      ...(only !== undefined ? { only } : {}),
    });
    const bad = report.failures.length > 0 || report.rssGrowthMb > testCase.expect.rssGrowthMb || !report.serverAlive;
    process.stdout.write(`${bad ? 'FAIL' : 'ok  '} ${cell.rpc} ${transport} ${protocol}: ${report.iterations} requests in ${report.elapsedMs} ms ` +
      `(${report.answered} answered, ${report.closed} closed, ${report.silent} silent for ${testCase.expect.withinMs} ms; slowest reaction ${report.maxReactionMs} ms), RSS +${report.rssGrowthMb} MB, CPU ${report.cpuMs} ms\n`);
    if (report.failures.length > 0) process.stdout.write(`${describeFailures(report, transport, protocol)}\n`);
    if (report.rssGrowthMb > testCase.expect.rssGrowthMb) process.stdout.write(`  RSS grew by ${report.rssGrowthMb} MB, more than ${testCase.expect.rssGrowthMb} MB\n`);
    if (!report.serverAlive) {
      process.stdout.write(`  our server process is gone: ${ours.exited ?? 'no exit seen yet'}\n`);
      failed++;
      break;
    }
    if (bad) failed++;
  }
} finally {
  await ours.stop();
}
process.stdout.write(`fuzz: ${failed === 0 ? 'no bound broken' : `${failed} cell(s) broke a bound`} (seed ${seed})\n`);
process.exit(failed === 0 ? 0 : 1);
