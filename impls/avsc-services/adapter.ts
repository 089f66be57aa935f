// avsc 5's built-in IPC ("services") behind the suite's implementation contract
// (harness/contract/avro.ts): what a TypeScript user picks today, tested the same way as ours.
//
// Its server runs in a worker thread (server-worker.ts): an exception avsc throws outside any
// callback would crash a real avsc server process; here it ends the worker, and the cells report
// the crash, instead of the whole test run being lost. The worker asks this thread for each
// answer, so the suite's handlers stay ordinary functions.
import { Worker } from 'node:worker_threads';
import type { AvroClientHandle, AvroHandler, AvroImplementation, AvroServerHandle } from '../../harness/contract/avro.ts';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import capabilities from './capabilities.json' with { type: 'json' };
import { AvroRemoteError, AvroSystemError } from '../avro/index.ts';
import { connectAvsc } from './index.ts';
import { revive } from './revive.ts';

function contractError(error: unknown): unknown {
  if (error instanceof AvroRemoteError) return Object.assign(error, { avro: { kind: 'declared', type: error.errorType, value: error.value } });
  if (error instanceof AvroSystemError) return Object.assign(error, { avro: { kind: 'system', message: error.message } });
  return error;
}

/** Messages between this thread and the server worker. */
export type WorkerMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'request'; readonly id: number; readonly message: string; readonly parameters: unknown };
export type HostMessage =
  | { readonly kind: 'answer'; readonly id: number; readonly response: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly declared?: { readonly type: string; readonly value: unknown }; readonly message: string }
  | { readonly kind: 'close' };

function serve(url: string, protocolText: string, handlers: Readonly<Record<string, AvroHandler>>): Promise<AvroServerHandle> {
  const worker = new Worker(new URL('./server-worker.ts', import.meta.url), { workerData: { address: url, protocolText } });
  let crashed: string | undefined;
  return new Promise((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') {
        resolve({
          port: message.port,
          crashed: () => crashed,
          close: async () => {
            worker.postMessage({ kind: 'close' } satisfies HostMessage);
            await new Promise((done) => setTimeout(done, 100));
            await worker.terminate();
          },
        });
        return;
      }
      const handler = handlers[message.message];
      Promise.resolve()
        .then(() => {
          if (!handler) throw new Error(`no handler for ${message.message}`);
          return handler(revive(message.parameters) as Record<string, unknown>, { message: message.message });
        })
        .then((response) => worker.postMessage({ kind: 'answer', id: message.id, response } satisfies HostMessage),
          (error: unknown) => {
            const carried = (error as { avro?: { kind: string; type: string; value: unknown } }).avro;
            worker.postMessage({
              kind: 'error', id: message.id, message: error instanceof Error ? error.message : String(error),
              ...(carried?.kind === 'declared' ? { declared: { type: carried.type, value: carried.value } } : {}),
            } satisfies HostMessage);
          });
    });
    worker.on('error', (error) => {
      crashed = `${error.name}: ${error.message}`;
      reject(error);
    });
  });
}

const adapter: AvroImplementation = {
  capabilities: capabilities as ImplementationCapabilities,

  async connect(target, options): Promise<AvroClientHandle> {
    // avsc speaks Netty framing on every stream; its stateless HTTP channel posts chunked bodies.
    const client = await connectAvsc(target.url, JSON.parse(target.protocol.text) as object, {
      timeoutMs: options.timeoutMs, ...(options.recorder ? { recorder: options.recorder } : {}),
    });
    return {
      call: async (message, request) => {
        try {
          return await client.call(message, { ...request });
        } catch (error) {
          throw contractError(error);
        }
      },
      close: () => client.close(),
    };
  },

  listen: (target, handlers) => serve(target.url, target.protocol.text, handlers),
};

export default adapter;
