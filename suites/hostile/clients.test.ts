// The hostile family against our clients (direction ts-client: ours -> hostile), every transport x
// protocol: our client runs in a child process (ours/child.ts) and calls the fake server
// (fake/server.ts), which answers as the case says; then the same process calls a healthy server
// of ours. A case that kills the child fails, and the next case starts a new one. Needs no container.
import { afterAll } from 'vitest';
import { attackClient, closeHealthyServers, type ClientObservation } from './attacks/client.ts';
import type { ClientCase } from './catalogue.ts';
import { caseBudgetMs, defineCells, selectedCells } from './define.ts';
import { assertWithin, clientFigures, clientProblems, describeClientBounds } from './judge.ts';
import { OursProcess } from './ours/child-process.ts';

const cells = selectedCells('ts-client');
let ours: OursProcess | undefined;
let lastEnding: string | undefined;

async function oursProcess(): Promise<OursProcess> {
  if (ours?.exited) {
    lastEnding = ours.exited;
    ours = undefined;
  }
  ours ??= await OursProcess.start();
  return ours;
}

afterAll(async () => {
  await ours?.stop();
  await closeHealthyServers();
});

defineCells(cells, async (planned, cell, measured) => {
  const testCase = planned.testCase as ClientCase;
  const child = await oursProcess();
  const ending = lastEnding;
  lastEnding = undefined;
  const transport = cell.cell.transport;
  let observation: ClientObservation;
  try {
    observation = await attackClient(child, { rpc: cell.rpc, transport, protocol: cell.cell.protocol }, testCase.attack, {
      watchMs: (testCase.expect.releasedWithinMs ?? 0) + 300, servedAfter: testCase.expect.servedAfter,
    });
  } catch (error) {
    // A call the child never answered: see whether it is stuck (then it is replaced for the next case).
    await child.responsive();
    throw error;
  }
  const figures = clientFigures(observation);
  await child.responsive();
  if (child.exited) figures['clientEnding'] = child.exited;
  if (ending) figures['previousClientEnding'] = ending;
  measured(figures);
  const problems = clientProblems(observation, testCase.expect, transport);
  if (child.exited) problems.push(`our client process ended: ${child.exited}`);
  assertWithin(testCase.id, problems, describeClientBounds(testCase.expect, transport), figures, []);
}, (planned) => caseBudgetMs((planned.testCase as ClientCase).expect.withinMs));
