// Starts npm thrift's server (server-worker.ts) in a worker thread and runs the suite's handlers
// for it here. Why a worker: npm thrift throws some failures outside any callback it handles (a
// rejected one-way handler, an HTTP answer written twice); in a real server process that is a
// crash. Here it ends the worker, the server reports crashed(), and the test run goes on.
import { MessageChannel, Worker } from 'node:worker_threads';
import { thriftErrorOf, type ThriftHandlers, type ThriftServeEndpoint, type ThriftServerHandle, type ThriftServerOptions } from '../../harness/contract/thrift.ts';
import type { WireRecorder } from '../../harness/contract/wire.ts';
import type { HandlerError, HandlerReply, HostMessage, WorkerMessage, WorkerSetup } from './messages.ts';

/** Structured clone turns Buffers into plain Uint8Arrays; the canonical values want Buffers. */
export function revive(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(revive);
  if (value instanceof Map) return new Map([...value.entries()].map(([k, v]) => [revive(k), revive(v)]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: revive(inner), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function handlerError(error: unknown): HandlerError {
  const carried = thriftErrorOf(error);
  if (carried) return carried;
  return error instanceof Error ? { kind: 'other', name: error.name, message: error.message } : { kind: 'other', name: 'Error', message: String(error) };
}

export function serveNpmThrift(endpoint: ThriftServeEndpoint, handlers: ThriftHandlers, options: ThriftServerOptions): Promise<ThriftServerHandle> {
  const signal = new SharedArrayBuffer(4);
  const slot = new Int32Array(signal);
  const { port1: replies, port2: workerReplies } = new MessageChannel();
  const setup: WorkerSetup = { endpoint, record: options.recorders !== undefined, signal, replies: workerReplies };
  const worker = new Worker(new URL('./server-worker.ts', import.meta.url), { workerData: setup, transferList: [workerReplies] });
  const recorders = new Map<number, WireRecorder>();
  let crashed: string | undefined;
  let closing = false;
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));

  const answer = (reply: HandlerReply): void => {
    replies.postMessage(reply);
    Atomics.store(slot, 0, 1);
    Atomics.notify(slot, 0);
  };

  const call = (service: string, method: string, args: Readonly<Record<string, unknown>>): void => {
    const handler = handlers[service]?.[method];
    let result: unknown;
    try {
      if (!handler) throw new Error(`no handler for ${service}.${method}`);
      result = handler(revive(args) as Record<string, unknown>);
    } catch (error) {
      answer({ ok: false, async: false, error: handlerError(error) });
      return;
    }
    if (result instanceof Promise) {
      result.then((value: unknown) => answer({ ok: true, value }), (error: unknown) => answer({ ok: false, async: true, error: handlerError(error) }));
    } else {
      answer({ ok: true, value: result });
    }
  };

  return new Promise((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      switch (message.kind) {
        case 'ready':
          resolve({
            port: message.port,
            crashed: () => crashed,
            close: () => close(),
          });
          return;
        case 'call':
          call(message.service, message.method, message.args);
          return;
        case 'bytes': {
          let recorder = recorders.get(message.connection);
          if (!recorder && options.recorders) {
            recorder = options.recorders.connection(message.peer);
            recorders.set(message.connection, recorder);
          }
          if (message.direction === 'sent') recorder?.sent(message.bytes);
          else recorder?.received(message.bytes);
          return;
        }
        case 'log':
          options.log?.(message.line);
          return;
      }
    });
    worker.on('error', (error) => {
      crashed = `npm thrift's server thread died: ${error.name}: ${error.message}`;
      options.log?.(crashed);
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!closing && code !== 0) crashed ??= `npm thrift's server thread exited with code ${code}`;
      replies.close();
    });
  });

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    worker.postMessage({ kind: 'close' } satisfies HostMessage);
    const timer = setTimeout(() => void worker.terminate(), 2_000);
    await exited;
    clearTimeout(timer);
  }
}
