// avsc 5's built-in IPC ("services") behind the suite's implementation contract
// (harness/contract/avro.ts): what a TypeScript user picks today, tested the same way as ours.
//
// Its server runs in a worker thread (server-worker.ts): an exception avsc throws outside any
// callback would crash a real avsc server process; here it ends the worker, and the cells report
// the crash, instead of the whole test run being lost. The worker asks this thread for each
// answer, so the suite's handlers stay ordinary functions. Its client runs in a worker that serves
// one connection at a time (client-worker.ts) for the same reason: avsc's client channel throws from inside
// its own event handlers too (Registry.prototype.clear is not re-entrant: when a channel is
// destroyed while its ping is pending, the ping's callback destroys it again, and the outer loop
// calls a callback the inner one removed: TypeError 'this._cbs[id] is not a function', uncaught),
// which in a user's process is a crash; here it fails the calls in flight, naming the crash.
import { Worker } from 'node:worker_threads';
import type { AvroClientHandle, AvroHandler, AvroImplementation, AvroServerHandle } from '../../harness/contract/avro.ts';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import capabilities from './capabilities.json' with { type: 'json' };
import { AvroRemoteError, AvroSystemError, AvroTransportError } from '../avro/index.ts';
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

/** Messages between this thread and a client worker, each about one connection (its number). */
export type ClientHostMessage =
  | { readonly kind: 'connect'; readonly connection: number; readonly address: string; readonly protocolText: string; readonly timeoutMs: number; readonly recording: boolean }
  | { readonly kind: 'call'; readonly connection: number; readonly id: number; readonly message: string; readonly parameters: unknown }
  | { readonly kind: 'close'; readonly connection: number };
export type ClientWorkerMessage =
  | { readonly kind: 'ready'; readonly connection: number }
  | { readonly kind: 'closed'; readonly connection: number }
  | { readonly kind: 'wire'; readonly connection: number; readonly sent: boolean; readonly bytes: Uint8Array }
  | { readonly kind: 'result'; readonly connection: number; readonly id: number; readonly response: unknown }
  | { readonly kind: 'failure'; readonly connection: number; readonly id: number; readonly message: string; readonly as: 'system' | 'transport' | { readonly declared: string; readonly value: unknown } };

interface WorkerClientOptions {
  readonly timeoutMs: number;
  readonly recorder?: { sent(bytes: Buffer): void; received(bytes: Buffer): void } | undefined;
}

// Client workers whose connection was closed cleanly wait here for the next one: starting a thread
// and loading avsc in it cost about 0.1 CPU-second per connection, some 800 times per run. A worker
// serves one connection at a time, so a crash still takes down only the connection it served; a
// worker that crashed, or whose connection did not close cleanly, is never reused.
const idleClientWorkers: Worker[] = [];
const MAX_IDLE_CLIENT_WORKERS = 4;
let connections = 0;

function clientWorker(): Worker {
  for (let reused = idleClientWorkers.pop(); reused; reused = idleClientWorkers.pop()) {
    if (reused.threadId === -1) continue; // it ended while idle
    reused.ref();
    return reused;
  }
  return new Worker(new URL('./client-worker.ts', import.meta.url));
}

function release(worker: Worker): void {
  if (idleClientWorkers.length >= MAX_IDLE_CLIENT_WORKERS) {
    void worker.terminate();
    return;
  }
  worker.unref(); // an idle worker keeps no process alive
  idleClientWorkers.push(worker);
}

/** avsc's client for one connection, in a worker thread of its own while it lasts. */
function connectInWorker(url: string, protocolText: string, options: WorkerClientOptions): Promise<AvroClientHandle> {
  const worker = clientWorker();
  const connection = ++connections;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let next = 0;
  let ended: Error | undefined;
  let closed: (() => void) | undefined;
  const fail = (error: Error): void => {
    ended ??= error;
    for (const waiting of pending.values()) waiting.reject(ended);
    pending.clear();
    closed?.();
  };
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      const crash = new AvroTransportError(`the avsc client crashed: ${error.name}: ${error.message}`);
      fail(crash);
      reject(crash);
    };
    const onExit = (): void => fail(new AvroTransportError('the avsc client worker ended'));
    const onMessage = (message: ClientWorkerMessage): void => {
      if (message.connection !== connection) return;
      switch (message.kind) {
        case 'ready':
          resolve({
            call: (name, request) => new Promise((done, refuse) => {
              if (ended) return refuse(ended);
              const id = next++;
              pending.set(id, { resolve: done, reject: refuse });
              worker.postMessage({ kind: 'call', connection, id, message: name, parameters: request } satisfies ClientHostMessage);
            }),
            close: async () => {
              if (ended) return;
              await new Promise<void>((done) => {
                closed = done;
                worker.postMessage({ kind: 'close', connection } satisfies ClientHostMessage);
              });
              worker.off('error', onError).off('exit', onExit).off('message', onMessage);
              // Calls still waiting would leave avsc work behind in the worker: such a worker is not reused.
              const reusable = ended === undefined && pending.size === 0;
              fail(new AvroTransportError('the avsc client was closed'));
              if (reusable) release(worker);
              else await worker.terminate();
            },
          });
          return;
        case 'closed':
          closed?.();
          return;
        case 'wire':
          if (message.sent) options.recorder?.sent(Buffer.from(message.bytes));
          else options.recorder?.received(Buffer.from(message.bytes));
          return;
        case 'result': {
          const waiting = pending.get(message.id);
          pending.delete(message.id);
          waiting?.resolve(revive(message.response));
          return;
        }
        case 'failure': {
          const waiting = pending.get(message.id);
          pending.delete(message.id);
          const error = typeof message.as === 'object'
            ? new AvroRemoteError(message.as.declared, revive(message.as.value) as Record<string, unknown>)
            : message.as === 'system' ? new AvroSystemError(message.message) : new AvroTransportError(message.message);
          waiting?.reject(contractError(error));
          return;
        }
      }
    };
    worker.on('error', onError).on('exit', onExit).on('message', onMessage);
    worker.postMessage({
      kind: 'connect', connection, address: url, protocolText, timeoutMs: options.timeoutMs, recording: options.recorder !== undefined,
    } satisfies ClientHostMessage);
  });
}

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

  // avsc speaks Netty framing on every stream; its stateless HTTP channel posts chunked bodies.
  connect: (target, options) => connectInWorker(target.url, target.protocol.text, { timeoutMs: options.timeoutMs, recorder: options.recorder }),

  listen: (target, handlers) => serve(target.url, target.protocol.text, handlers),
};

export default adapter;
