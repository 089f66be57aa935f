// The avro-js server in a worker thread (see adapter.ts for why). Every request goes to the
// thread that started the worker, which runs the suite's handler and sends back the answer or the
// error; handshakes, bytes and log lines go there too.
import { parentPort, workerData } from 'node:worker_threads';
import type { AvroValue } from '../../harness/contract/avro.ts';
import type { WireRecorder } from '../wire/recorder.ts';
import { withContract } from './errors.ts';
import { listenAvroJs } from './server.ts';
import { revive, type FromWorker, type ToWorker, type WorkerSetup } from './worker-messages.ts';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('server-worker.ts runs as a worker thread only');
const post = (message: FromWorker): void => port.postMessage(message);

const pending = new Map<number, { resolve(value: AvroValue): void; reject(error: unknown): void }>();
let nextRequest = 0;
let nextConnection = 0;

const server = await listenAvroJs(setup.address, setup.protocolText, {
  handle: (message, parameters) => new Promise((resolve, reject) => {
    const id = nextRequest++;
    pending.set(id, { resolve, reject });
    post({ kind: 'request', id, message, parameters });
  }),
  onHandshake: (record) => post({ kind: 'handshake', record }),
  connection: (peer): WireRecorder | undefined => {
    if (!setup.recording) return undefined;
    const connection = nextConnection++;
    post({ kind: 'connection', connection, peer });
    return {
      sent: (bytes) => post({ kind: 'bytes', connection, direction: 'sent', bytes }),
      received: (bytes) => post({ kind: 'bytes', connection, direction: 'received', bytes }),
    };
  },
  log: (line) => post({ kind: 'log', line }),
});
post({ kind: 'ready', port: server.port });

port.on('message', (message: ToWorker) => {
  if (message.kind === 'close') {
    void server.close().then(() => process.exit(0));
    return;
  }
  const waiting = pending.get(message.id);
  pending.delete(message.id);
  if (!waiting) return;
  if (message.kind === 'answer') waiting.resolve(revive(message.response));
  else if (message.declared) waiting.reject(withContract(new Error(message.message), { kind: 'declared', type: message.declared.type, value: revive(message.declared.value) }));
  else waiting.reject(new Error(message.message));
});
