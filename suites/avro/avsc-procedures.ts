// How avsc 5's services client runs the catalogue's cases (ts-client direction). Only the kinds a
// user of avsc's public API can express run here: calls, one-way messages, sequences. The
// handshake and wire procedures need our client's handshake records and raw sockets.
import type { Cell } from '../../harness/matrix/axes.ts';
import { connectAvsc, type AvscCaller } from '../../impls/avsc-services/index.ts';
import type { WireRecorder } from '../../impls/wire/recorder.ts';
import { loadProtocol, type AvroCase, type CallStep } from './catalogue.ts';
import { urlFor } from './client-procedures.ts';
import { mismatch, outcomeOf, requestFromNotation } from './expectations.ts';

export const AVSC_KINDS: readonly string[] = ['call', 'oneway', 'sequence'];

// A transport that hangs (a chunked body a server never finishes reading) would make every case
// of the cell wait for its timeout. After the first timeout in a cell the remaining cases fail at
// once with that reason: each still fails, visibly, without 60 more seconds apiece.
const hungCells = new Map<string, string>();

async function runStep(client: AvscCaller, cell: Cell, testCase: AvroCase, step: CallStep): Promise<void> {
  const protocol = loadProtocol(testCase.protocol);
  const outcome = await outcomeOf(client.call(step.message, requestFromNotation(protocol, step.message, step.request)));
  if (!outcome.ok && /timeout|timed out|no response within/i.test(String((outcome.error as Error).message))) {
    hungCells.set(JSON.stringify(cell), `${testCase.id}: ${(outcome.error as Error).message}`);
  }
  const problem = mismatch(protocol, step.message, step.expect, outcome);
  if (problem) throw new Error(`${step.message}: ${problem}`);
}

export async function runAvscClientCase(cell: Cell, port: number, testCase: AvroCase, recorder: WireRecorder): Promise<void> {
  const hung = hungCells.get(JSON.stringify(cell));
  if (hung) throw new Error(`an earlier call of this cell got no answer (${hung}); not waiting again`);
  const protocolJson = JSON.parse(loadProtocol(testCase.protocol).text) as object;
  const client = await connectAvsc(urlFor(cell, port).replace(/^tcp:/, 'netty:'), protocolJson, { recorder });
  try {
    if (testCase.kind === 'sequence') {
      for (const step of testCase.calls ?? []) await runStep(client, cell, testCase, step);
    } else if (testCase.kind === 'oneway') {
      const message = testCase.message ?? '';
      const protocol = loadProtocol(testCase.protocol);
      const sent = await outcomeOf(client.call(message, requestFromNotation(protocol, message, testCase.request ?? {})));
      if (!sent.ok) throw new Error(`one-way ${message} failed: ${String(sent.error)}`);
      const then = testCase.then;
      if (then) await runStep(client, cell, testCase, { message: then.message, request: then.request, expect: { response: then.response } });
    } else {
      await runStep(client, cell, testCase, { message: testCase.message ?? '', request: testCase.request ?? {}, expect: testCase.expect ?? {} });
    }
  } finally {
    await client.close();
  }
}
