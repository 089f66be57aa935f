// Runs avsc 5's services server in a worker thread. An exception avsc throws outside any
// callback (seen: ERR_STREAM_WRITE_AFTER_END when a Java HTTP client ends its body with an extra
// empty frame) would crash a real avsc server process; here it ends this worker only, and the
// suite reports the crash on the cases that follow, instead of losing the whole test run.
import { parentPort, workerData } from 'node:worker_threads';
import { listenAvsc } from '../../impls/avsc-services/index.ts';
import { parseProtocol, type Handlers } from '../../impls/avro/index.ts';
import { handlersFor } from './semantics.ts';

interface Setup { readonly address: string; readonly protocolText: string }

const setup = workerData as Setup;
const protocol = parseProtocol(setup.protocolText);
const base = handlersFor(protocol);
const handlers: Handlers = Object.fromEntries(Object.entries(base).map(([name, handler]) => [name, (parameters: Record<string, unknown>, context: Parameters<typeof handler>[1]) => {
  parentPort?.postMessage({ kind: 'request', message: name, parameters });
  return handler(parameters, context);
}]));

const server = await listenAvsc(setup.address, JSON.parse(protocol.text) as object, handlers);
parentPort?.postMessage({ kind: 'ready', port: server.port });
parentPort?.on('message', (message: unknown) => {
  if (message === 'close') void server.close().then(() => process.exit(0));
});
