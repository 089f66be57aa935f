// avsc 5's services client in a worker thread (see adapter.ts for why): the host thread sends
// calls, the worker makes them with avsc and sends back each outcome and every byte avsc's
// channel wrote or read (the host thread's recorder keeps them).
import { parentPort, workerData } from 'node:worker_threads';
import { AvroRemoteError, AvroSystemError } from '../avro/errors.ts';
import type { ClientHostMessage, ClientWorkerMessage } from './adapter.ts';
import { connectAvsc } from './index.ts';
import { revive } from './revive.ts';

interface Setup { readonly address: string; readonly protocolText: string; readonly timeoutMs: number; readonly recording: boolean }

const setup = workerData as Setup;
const post = (message: ClientWorkerMessage): void => parentPort?.postMessage(message);
const client = await connectAvsc(setup.address, JSON.parse(setup.protocolText) as object, {
  timeoutMs: setup.timeoutMs,
  ...(setup.recording ? { recorder: { sent: (bytes: Buffer) => post({ kind: 'wire', sent: true, bytes }), received: (bytes: Buffer) => post({ kind: 'wire', sent: false, bytes }) } } : {}),
});
post({ kind: 'ready' });
parentPort?.on('message', (message: ClientHostMessage) => {
  if (message.kind === 'close') {
    void client.close().catch(() => undefined).then(() => post({ kind: 'closed' }));
    return;
  }
  client.call(message.message, revive(message.parameters) as Record<string, unknown>).then(
    (response) => post({ kind: 'result', id: message.id, response }),
    (error: unknown) => post({
      kind: 'failure', id: message.id, message: error instanceof Error ? error.message : String(error),
      as: error instanceof AvroRemoteError ? { declared: error.errorType, value: error.value } : error instanceof AvroSystemError ? 'system' : 'transport',
    }),
  );
});
