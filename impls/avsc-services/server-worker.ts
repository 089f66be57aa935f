// avsc 5's services server in a worker thread (see adapter.ts for why): each request goes to the
// thread that started it, which runs the suite's handler and sends back the answer or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { raise } from '../avro/errors.ts';
import type { HostMessage, WorkerMessage } from './adapter.ts';
import { listenAvsc } from './index.ts';
import { revive } from './revive.ts';

interface Setup { readonly address: string; readonly protocolText: string }

const setup = workerData as Setup;
const protocol = JSON.parse(setup.protocolText) as { messages?: Record<string, unknown> };
const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
let next = 0;

const ask = (message: string, parameters: unknown): Promise<unknown> => new Promise((resolve, reject) => {
  const id = next++;
  pending.set(id, { resolve, reject });
  parentPort?.postMessage({ kind: 'request', id, message, parameters } satisfies WorkerMessage);
});

const handlers = Object.fromEntries(Object.keys(protocol.messages ?? {}).map((name) => [name, (parameters: Record<string, unknown>) => ask(name, parameters)]));
const server = await listenAvsc(setup.address, protocol, handlers);
parentPort?.postMessage({ kind: 'ready', port: server.port } satisfies WorkerMessage);
parentPort?.on('message', (message: HostMessage) => {
  if (message.kind === 'close') {
    void server.close().then(() => process.exit(0));
    return;
  }
  const waiting = pending.get(message.id);
  pending.delete(message.id);
  if (!waiting) return;
  if (message.kind === 'answer') waiting.resolve(revive(message.response));
  else waiting.reject(message.declared ? raise(message.declared.type, revive(message.declared.value) as Record<string, unknown>) : new Error(message.message));
});
