// npm thrift's server in a worker thread (adapter.ts says why), made the way its README and sources
// show: thrift.createServer(Service, handler, {transport, protocol, tls}) for one service,
// thrift.createMultiplexServer(processor, options) with a thrift.MultiplexedProcessor for the
// multiplexed protocols, thrift.createWebServer({services: {[path]: ...}, tls}) for HTTP.
//
// The handler object npm thrift calls is generated here from the IDL: each method converts its
// arguments to canonical values, asks the adapter's thread for the suite handler's answer and
// blocks until it comes (Atomics.wait), so a handler that throws, throws right there, as it would
// in a plain npm thrift server. Declared exceptions are thrown as the generated exception classes,
// application errors as Thrift.TApplicationException, anything else as an Error: what npm thrift's
// processor then writes is npm thrift's own doing.
import { readFileSync } from 'node:fs';
import type { Server as NetServer, Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { generatedIdl, type IdlFunction } from './idl.ts';
import type { HandlerError, HandlerReply, HostMessage, WorkerMessage, WorkerSetup } from './messages.ts';
import { generated, thrift, Thrift, type GeneratedService, type Processor } from './runtime.ts';
import { stackFor } from './stack.ts';
import { fromGenerated, toGenerated } from './values.ts';

const setup = workerData as WorkerSetup;
const endpoint = setup.endpoint;
const idl = generatedIdl();
const stack = stackFor(endpoint.transport, endpoint.protocol, 'server');
const signal = new Int32Array(setup.signal);
/** A handler that has not answered after this long is a hung handler, not a slow one. */
const HANDLER_TIMEOUT_MS = 60_000;

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function log(line: string): void {
  post({ kind: 'log', line });
}

/** Asks the adapter's thread to run the suite's handler, and waits for its reply. */
function ask(service: string, method: string, args: Record<string, unknown>): HandlerReply {
  Atomics.store(signal, 0, 0);
  post({ kind: 'call', service, method, args });
  if (Atomics.wait(signal, 0, 0, HANDLER_TIMEOUT_MS) === 'timed-out') {
    throw new Error(`the ${service}.${method} handler did not answer within ${HANDLER_TIMEOUT_MS} ms`);
  }
  const received = receiveMessageOnPort(setup.replies);
  if (!received) throw new Error(`no reply from the ${service}.${method} handler`);
  return received.message as HandlerReply;
}

function thrown(error: HandlerError): Error {
  switch (error.kind) {
    case 'declared':
      // An instance of the generated exception class (it extends Thrift.TException, an Error).
      return toGenerated(idl, { kind: 'struct', name: error.type }, error.value) as Error;
    case 'application':
      return new Thrift.TApplicationException(error.type, error.message);
    default:
      return Object.assign(new Error(error.message), { name: error.name });
  }
}

/** One method of the handler object npm thrift's generated Processor calls. */
function method(service: string, fn: IdlFunction): (...params: unknown[]) => unknown {
  const body = (...params: unknown[]): unknown => {
    const args: Record<string, unknown> = {};
    fn.args.forEach((arg, index) => {
      const value = fromGenerated(idl, arg.type, params[index]);
      if (value !== undefined) args[arg.name] = value;
    });
    const reply = ask(service, fn.name, args);
    if (!reply.ok) {
      const error = thrown(reply.error);
      if (reply.async) return Promise.reject(error);
      throw error;
    }
    return fn.returns.kind === 'void' ? undefined : toGenerated(idl, fn.returns, reply.value);
  };
  // The generated Processor picks the Promise style when the handler's arity equals the IDL's
  // argument count (process_x: `if (this._handler.x.length === n)`), the callback style otherwise.
  Object.defineProperty(body, 'length', { value: fn.args.length });
  return body;
}

function handlerFor(service: string): Record<string, (...params: unknown[]) => unknown> {
  const functions = idl.services.get(service);
  if (!functions) throw new Error(`npm-thrift: the generated code has no service ${service}`);
  return Object.fromEntries([...functions.values()].map((fn) => [fn.name, method(service, fn)]));
}

function processorFor(service: string): Processor {
  const module = generated.services[service];
  if (!module) throw new Error(`npm-thrift: the generated code has no service ${service}`);
  return new module.Processor(handlerFor(service));
}

let nextConnection = 0;

function recordSocket(socket: Socket): void {
  const connection = nextConnection++;
  const peer = `${socket.remoteAddress ?? 'unix'}:${socket.remotePort ?? connection}`;
  socket.on('data', (chunk: Buffer) => post({ kind: 'bytes', connection, peer, direction: 'received', bytes: Uint8Array.from(chunk) }));
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk instanceof Uint8Array) post({ kind: 'bytes', connection, peer, direction: 'sent', bytes: Uint8Array.from(chunk) });
    return write(chunk, ...rest);
  }) as typeof socket.write;
}

function recordExchange(request: IncomingMessage, response: ServerResponse): void {
  const connection = nextConnection++;
  const peer = `${request.socket.remoteAddress ?? 'unix'}:${request.socket.remotePort ?? connection}`;
  request.on('data', (chunk: Buffer) => post({ kind: 'bytes', connection, peer, direction: 'received', bytes: Uint8Array.from(chunk) }));
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk instanceof Uint8Array) post({ kind: 'bytes', connection, peer, direction: 'sent', bytes: Uint8Array.from(chunk) });
    return end(chunk, ...rest);
  }) as typeof response.end;
}

function tlsFiles(): { cert: Buffer; key: Buffer } | undefined {
  if (endpoint.socket !== 'tls') return undefined;
  const { cert, key } = endpoint.tls ?? {};
  if (!cert || !key) throw new Error('npm-thrift: a TLS server needs tls.cert and tls.key');
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

function multiplexedProcessor(): Processor {
  const processor = new thrift.MultiplexedProcessor();
  for (const service of endpoint.services) processor.registerProcessor(service, processorFor(service));
  // endpoint.defaultService: npm thrift's MultiplexedProcessor has no default service (a plain call
  // is split at ':' and fails as "Unknown service"); nothing to register it with.
  return processor;
}

function conformanceModule(): GeneratedService {
  const module = generated.services.Conformance;
  if (!module) throw new Error('npm-thrift: the generated code has no service Conformance');
  return module;
}

function createServer(): NetServer {
  const tls = tlsFiles();
  if (endpoint.transport === 'http') {
    const service = stack.multiplexed
      ? { processor: multiplexedProcessor(), protocol: stack.protocol, transport: stack.transport }
      : { processor: conformanceModule(), handler: handlerFor('Conformance'), protocol: stack.protocol, transport: stack.transport };
    const server = thrift.createWebServer({ services: { [endpoint.httpPath]: service }, ...(tls ? { tls } : {}) });
    if (setup.record) server.on('request', recordExchange);
    return server as unknown as NetServer;
  }
  const options = { transport: stack.transport, protocol: stack.protocol, ...(tls ? { tls } : {}) };
  const server = stack.multiplexed
    ? thrift.createMultiplexServer(multiplexedProcessor(), options)
    : thrift.createServer(conformanceModule(), handlerFor('Conformance'), options);
  if (setup.record) server.on(tls ? 'secureConnection' : 'connection', recordSocket);
  return server;
}

const server = createServer();
const sockets = new Set<Socket>();
server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
// npm thrift's servers emit every connection's failure (bad input, a reset) on the server and end
// that connection; without a listener Node would throw it. A server owner logs them.
server.on('error', (error: Error) => log(`npm thrift server error: ${error.name}: ${error.message}`));

await new Promise<void>((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
  if (endpoint.socket === 'unix') server.listen(endpoint.path ?? '');
  else server.listen(endpoint.port, endpoint.host);
});
const address = server.address();
post({ kind: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0 });

parentPort?.on('message', (message: HostMessage) => {
  if (message.kind !== 'close') return;
  server.close(() => process.exit(0));
  for (const socket of sockets) socket.destroy();
});
