// Apache's own JavaScript Avro (npm avro-js) behind the suite's implementation contract
// (harness/contract/avro.ts): its IPC used the way its documentation shows, nothing patched.
//
// Its server runs in a worker thread (server-worker.ts): avro-js throws from stream event
// handlers that no caller can catch (e.g. a second message in one HTTP body makes its stateless
// listener write after end; a bad frame makes its decoder emit an unhandled 'error'). In a real
// avro-js server process that is a crash; here it ends the worker, the cells report the crash,
// and the test run goes on.
import { Worker } from 'node:worker_threads';
import type { AvroHandler, AvroImplementation, AvroServerHandle, AvroServerOptions, AvroTarget } from '../../harness/contract/avro.ts';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import type { WireRecorder } from '../wire/recorder.ts';
import capabilities from './capabilities.json' with { type: 'json' };
import { connectAvroJs } from './client.ts';
import { revive, type FromWorker, type ToWorker, type WorkerSetup } from './worker-messages.ts';

/** How long close() lets the worker close its sockets before it is terminated. */
const CLOSE_GRACE_MS = 200;

function listen(target: AvroTarget, handlers: Readonly<Record<string, AvroHandler>>, options: AvroServerOptions): Promise<AvroServerHandle> {
  const setup: WorkerSetup = { address: target.url, protocolText: target.protocol.text, recording: options.recorders !== undefined };
  const worker = new Worker(new URL('./server-worker.ts', import.meta.url), { workerData: setup });
  const connections = new Map<number, WireRecorder>();
  const send = (message: ToWorker): void => worker.postMessage(message);
  let crashed: string | undefined;
  let closing = false;

  const answer = (id: number, message: string, parameters: unknown): void => {
    const handler = handlers[message];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no handler for ${message}`);
        return handler(revive(parameters) as Record<string, unknown>, { message });
      })
      .then(
        (response) => send({ kind: 'answer', id, response }),
        (error: unknown) => {
          const carried = (error as { avro?: { kind: string; type: string; value: unknown } } | null)?.avro;
          send({
            kind: 'error', id, message: error instanceof Error ? error.message : String(error),
            ...(carried?.kind === 'declared' ? { declared: { type: carried.type, value: carried.value } } : {}),
          });
        },
      );
  };

  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      switch (message.kind) {
        case 'ready':
          resolve({
            port: message.port,
            crashed: () => crashed,
            close: async () => {
              closing = true;
              send({ kind: 'close' });
              await new Promise((done) => setTimeout(done, CLOSE_GRACE_MS));
              await worker.terminate();
            },
          });
          return;
        case 'request':
          answer(message.id, message.message, message.parameters);
          return;
        case 'handshake':
          options.onHandshake?.(revive(message.record) as Parameters<NonNullable<AvroServerOptions['onHandshake']>>[0]);
          return;
        case 'connection': {
          const recorder = options.recorders?.connection(message.peer);
          if (recorder) connections.set(message.connection, recorder);
          return;
        }
        case 'bytes': {
          const recorder = connections.get(message.connection);
          if (message.direction === 'sent') recorder?.sent(Buffer.from(message.bytes));
          else recorder?.received(Buffer.from(message.bytes));
          return;
        }
        case 'log':
          options.log?.(message.line);
          return;
      }
    });
    worker.on('error', (error) => {
      crashed = `the avro-js server crashed: ${error.name}: ${error.message}`;
      options.log?.(`${crashed}\n${error.stack ?? ''}`);
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!closing && crashed === undefined) crashed = `the avro-js server's thread exited (code ${code})`;
    });
  });
}

const adapter: AvroImplementation = {
  capabilities: capabilities as ImplementationCapabilities,
  connect: (target, options) => connectAvroJs(target, options),
  listen,
};

export default adapter;
