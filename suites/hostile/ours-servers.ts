// The hostile family against our servers (direction ts-server: hostile -> ours), every transport x
// protocol of one RPC family (a suite file each, so that vitest runs them side by side). Our
// servers run in a child process (ours/child.ts) so that their memory and CPU can be read from
// /proc and a crash or a hang costs the child: a case that kills it fails, and the next case
// starts a new one. Each case's limits (set low where the case is about the mechanism) get a
// server of their own. Needs no container.
import { randomInt } from 'node:crypto';
import { afterAll } from 'vitest';
import { attackServer } from './attacks/server.ts';
import { profile, type FuzzAttack, type Rpc, type ServerCase } from './catalogue.ts';
import { caseBudgetMs, defineCells, selectedCells } from './define.ts';
import { describeFailures, runFuzz } from './fuzz/run.ts';
import { assertWithin, describeServerBounds, serverFigures, serverProblems, serverWire, type Figures } from './judge.ts';
import { OursProcess } from './ours/child-process.ts';
import { cellWire } from './rpc-wire.ts';
import type { HostileCell, PlannedCase } from './cells.ts';

/** The run's fuzz seed: CONFORMANCE_FUZZ_SEED, or a new one each run (printed with every fuzz result). */
const FUZZ_SEED = process.env['CONFORMANCE_FUZZ_SEED'] ? Number(process.env['CONFORMANCE_FUZZ_SEED']) : randomInt(2 ** 31);

let ours: OursProcess | undefined;
const ports = new Map<string, number>();
/** How earlier children ended, said in the next case that needs a new one. */
let lastEnding: string | undefined;

/** Defines the ts-server cells of one RPC family (one suite file each). */
export function defineOursServers(rpc: Rpc): void {
  afterAll(async () => {
    // The worker's next file of this family starts a process of its own. Before, it could pick up
    // this one between the kill and the exit event, and fail its first case with "our process
    // exited (code null, signal SIGKILL)" (seen once, on Node 22).
    const stopping = ours;
    ours = undefined;
    ports.clear();
    await stopping?.stop();
  });
  defineCells(selectedCells('ts-server').filter((c) => c.rpc === rpc), oursServerCase, (planned) => {
    const testCase = planned.testCase as ServerCase;
    // A fuzz runs its whole budget in one case: allow 100 ms per mutated request on top.
    const fuzzMs = testCase.attack.kind === 'fuzz' ? (testCase.attack.budget[profile()] * 100) : 0;
    return caseBudgetMs(testCase.expect.withinMs) + fuzzMs;
  });
}

async function oursProcess(): Promise<OursProcess> {
  if (ours?.exited) {
    lastEnding = ours.exited;
    ours = undefined;
  }
  if (!ours) {
    ports.clear();
    ours = await OursProcess.start();
  }
  return ours;
}

async function portFor(child: OursProcess, cell: HostileCell, limits: Readonly<Record<string, number>> | undefined): Promise<number> {
  const key = `${cell.rpc} ${cell.cell.transport} ${cell.cell.protocol} ${JSON.stringify(limits ?? {})}`;
  let port = ports.get(key);
  if (port === undefined) {
    port = await child.listen({ rpc: cell.rpc, transport: cell.cell.transport, protocol: cell.cell.protocol, ...(limits ? { limits } : {}) });
    ports.set(key, port);
  }
  return port;
}

async function fuzz(child: OursProcess, port: number, cell: HostileCell, testCase: ServerCase, attack: FuzzAttack, measured: (f: Figures) => void): Promise<void> {
  const { transport, protocol } = cell.cell;
  const report = await runFuzz({ wire: () => cellWire(cell.rpc, transport, protocol), port, pid: child.pid }, {
    seed: FUZZ_SEED, cellKey: `${cell.rpc}/${transport}/${protocol}`, seeds: attack.seeds, budget: attack.budget[profile()],
    parallel: attack.parallel, watchMs: testCase.expect.withinMs,
  });
  measured({
    seed: report.seed, iterations: report.iterations, answered: report.answered, closed: report.closed, silent: report.silent, maxReactionMs: report.maxReactionMs,
    elapsedMs: report.elapsedMs, rssGrowthMb: report.rssGrowthMb, cpuMs: report.cpuMs, serverAlive: report.serverAlive, failures: report.failures.length,
  });
  await child.responsive();
  const problems = [
    ...(child.exited ? [`our server process: ${child.exited}`] : []),
    ...(report.failures.length > 0 ? [`${report.failures.length} mutated request(s) broke a bound:\n${describeFailures(report, transport, protocol)}`] : []),
    ...(report.rssGrowthMb > testCase.expect.rssGrowthMb ? [`RSS grew by ${report.rssGrowthMb} MB, more than ${testCase.expect.rssGrowthMb} MB`] : []),
    ...(report.serverAlive ? [] : [`our server process is gone: ${child.exited ?? 'no exit seen yet'}`]),
  ];
  assertWithin(testCase.id, problems, `seed ${report.seed}: after each of ${report.iterations} mutated requests (each watched ${testCase.expect.withinMs} ms) a valid call is served; the server stays up; RSS growth <= ${testCase.expect.rssGrowthMb} MB`, { ...report, failures: report.failures.length }, []);
}

async function oursServerCase(planned: PlannedCase, cell: HostileCell, measured: (f: Figures) => void): Promise<void> {
  const testCase = planned.testCase as ServerCase;
  const child = await oursProcess();
  const ending = lastEnding;
  lastEnding = undefined;
  const port = await portFor(child, cell, testCase.limits);
  await child.serverLog(); // what earlier cases' servers said is theirs
  if (testCase.attack.kind === 'fuzz') {
    await fuzz(child, port, cell, testCase, testCase.attack, measured);
    return;
  }
  const wire = cellWire(cell.rpc, cell.cell.transport, cell.cell.protocol);
  const bounds = { ...testCase.expect, ours: true, transport: cell.cell.transport };
  // Every line our server logs during the case, whoever reads it first (the valid call afterwards does).
  const logged: string[] = [];
  const serverLog = async (): Promise<readonly string[]> => {
    const lines = await child.serverLog();
    logged.push(...lines);
    return lines;
  };
  const observation = await attackServer({ wire, port, pid: child.pid, serverLog }, testCase.attack, {
    windowMs: testCase.expect.withinMs + Math.min(testCase.expect.withinMs / 2, 2_000), servedAfter: testCase.expect.servedAfter, expected: testCase.expect.reaction,
  });
  const figures = serverFigures(observation);
  await child.responsive();
  if (child.exited) figures['serverEnding'] = child.exited;
  if (ending) figures['previousServerEnding'] = ending;
  const problems = serverProblems(observation, bounds);
  if (child.exited) problems.push(`our server process ended: ${child.exited}`);
  // A failure shows our server's own account of it (which connection it closed, and why).
  if (problems.length > 0) {
    await serverLog();
    figures['serverLog'] = logged.slice(-12).join(' | ');
  }
  measured(figures);
  assertWithin(testCase.id, problems, describeServerBounds(bounds), figures, serverWire(observation, 'our server'));
}
