// npm thrift's client, opened the way its README and sources show: thrift.createConnection /
// createSSLConnection / createUDSConnection (or createHttpConnection / createHttpUDSConnection)
// with a transport and protocol class, then thrift.createClient(Service, connection) or, for the
// multiplexed protocols, new thrift.Multiplexer().createClient(name, Service, connection).
//
// What this file adds is the contract's plumbing, not behaviour: npm thrift reports transport
// failures only as 'error' and 'close' events on the connection (a call in flight is never
// answered), so the calls in flight fail on those events, and every call has the contract's
// timeout. The recorder watches the socket (or HTTP bodies) beside npm thrift without changing it.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { readFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import type { ThriftArgs, ThriftCallError, ThriftClientHandle, ThriftClientOptions, ThriftEndpoint, ThriftValue } from '../../harness/contract/thrift.ts';
import type { WireRecorder } from '../../harness/contract/wire.ts';
import { generatedIdl, type Idl, type IdlFunction } from './idl.ts';
import { generated, structClass, thrift, Thrift, type ConnectionOptions, type NpmConnection, type ServiceClient } from './runtime.ts';
import { stackFor, type Stack } from './stack.ts';
import { CannotExpress, fromGenerated, toGenerated } from './values.ts';

/** Watches a socket's bytes: a second 'data' listener and a pass-through write. */
function recordSocket(socket: NonNullable<NpmConnection['connection']>, recorder: WireRecorder): void {
  socket.on('data', (chunk: Buffer) => recorder.received(chunk));
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk instanceof Uint8Array) recorder.sent(chunk);
    return write(chunk, ...rest);
  }) as typeof socket.write;
}

/** Watches an HttpConnection's request and response bodies. */
function recordHttp(connection: NpmConnection, recorder: WireRecorder): void {
  const write = connection.write.bind(connection);
  connection.write = (data: Buffer, seqid?: number) => {
    recorder.sent(data);
    write(data, seqid);
  };
  const respond = connection.responseCallback;
  if (respond) {
    connection.responseCallback = function (this: unknown, response: EventEmitter) {
      response.on('data', (chunk: Buffer) => recorder.received(chunk));
      respond.call(this, response);
    };
  }
}

interface Opened {
  readonly connection: NpmConnection;
  readonly close: () => void;
}

function open(endpoint: ThriftEndpoint, stack: Stack): Opened {
  const options: ConnectionOptions = { transport: stack.transport, protocol: stack.protocol };
  const ca = endpoint.tls?.ca ? readFileSync(endpoint.tls.ca) : undefined;
  if (endpoint.transport === 'http') {
    // One agent per client, so that close() can end its kept-alive sockets.
    const agent = endpoint.socket === 'tls' ? new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new HttpAgent({ keepAlive: true });
    const httpOptions: ConnectionOptions = {
      ...options, path: endpoint.httpPath, https: endpoint.socket === 'tls', nodeOptions: { agent, ...(ca ? { ca } : {}) },
    };
    const connection = endpoint.socket === 'unix'
      ? thrift.createHttpUDSConnection(required(endpoint.path, 'a Unix socket path'), httpOptions)
      : thrift.createHttpConnection(endpoint.host, endpoint.port, httpOptions);
    return { connection, close: () => agent.destroy() };
  }
  const connection = endpoint.socket === 'unix'
    ? thrift.createUDSConnection(required(endpoint.path, 'a Unix socket path'), options)
    : endpoint.socket === 'tls'
      ? thrift.createSSLConnection(endpoint.host, endpoint.port, { ...options, ...(ca ? { ca } : {}) })
      : thrift.createConnection(endpoint.host, endpoint.port, options);
  return { connection, close: () => connection.end?.() };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`npm-thrift: the endpoint has no ${what}`);
  return value;
}

/** A socket connection is usable once npm thrift says 'connect'; a failure before that fails connect(). */
function connected(connection: NpmConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      connection.off('connect', ok);
      reject(error);
    };
    const ok = (): void => {
      connection.off('error', fail);
      resolve();
    };
    connection.once('connect', ok);
    connection.once('error', fail);
  });
}

function withThrift(error: Error, thriftError: ThriftCallError): Error {
  return Object.assign(error, { thrift: thriftError });
}

/** What the generated client rejected a call with, in the contract's shape. */
function contractError(idl: Idl, fn: IdlFunction, error: unknown): unknown {
  if (error instanceof Thrift.TApplicationException) {
    return withThrift(error, { kind: 'application', type: error.type, message: error.message ?? '' });
  }
  for (const name of fn.exceptions) {
    if (error instanceof structClass(name)) {
      const value = fromGenerated(idl, { kind: 'struct', name }, error) as Record<string, unknown>;
      return withThrift(error as unknown as Error, { kind: 'declared', type: name, value });
    }
  }
  // The generated recv_* methods also reject with plain strings ("<method> failed: unknown result").
  return error instanceof Error ? error : new Error(`npm thrift rejected the call with ${typeof error} ${String(error)}`);
}

class NpmThriftClient implements ThriftClientHandle {
  private readonly clients = new Map<string, ServiceClient>();
  private readonly inFlight = new Set<(error: Error) => void>();
  private failure: Error | undefined;
  private readonly multiplexer: InstanceType<typeof thrift.Multiplexer> | undefined;
  private readonly idl: Idl;
  private readonly endpoint: ThriftEndpoint;
  private readonly stack: Stack;
  private readonly opened: Opened;
  private readonly timeoutMs: number;

  constructor(idl: Idl, endpoint: ThriftEndpoint, stack: Stack, opened: Opened, timeoutMs: number) {
    this.idl = idl;
    this.endpoint = endpoint;
    this.stack = stack;
    this.opened = opened;
    this.timeoutMs = timeoutMs;
    this.multiplexer = stack.multiplexed ? new thrift.Multiplexer() : undefined;
    const connection = opened.connection;
    // npm thrift's README: connection.on('error', ...). Its errors end the calls in flight.
    connection.on('error', (error: Error) => this.failAll(new Error(`npm thrift connection error: ${error.name}: ${error.message}`, { cause: error })));
    connection.on('close', () => this.failAll(new Error('the connection closed (npm thrift does not answer calls in flight, nor later calls, on a closed connection)'), true));
  }

  private failAll(error: Error, final = false): void {
    if (final) this.failure ??= error;
    for (const reject of this.inFlight) reject(error);
    this.inFlight.clear();
  }

  private client(service: string): ServiceClient {
    const existing = this.clients.get(service);
    if (existing) return existing;
    const module = generated.services[service];
    if (!module) throw new CannotExpress(`the generated code has no service ${service}`);
    const connection = this.opened.connection;
    const client = this.multiplexer
      ? this.multiplexer.createClient(service, module, connection)
      : this.endpoint.transport === 'http' ? thrift.createHttpClient(module, connection) : thrift.createClient(module, connection);
    if (this.stack.headerProtocolId !== undefined) client.output.setProtocolId?.(this.stack.headerProtocolId);
    this.clients.set(service, client);
    return client;
  }

  async call(service: string, method: string, args: ThriftArgs): Promise<ThriftValue> {
    const fn = this.idl.fn(service, method);
    if (!fn) throw new CannotExpress(`the generated ${service} client has no ${method} (generated from the IDL without its uuid members: codegen/generate.sh)`);
    if (this.failure) throw this.failure;
    const client = this.client(service);
    const params = fn.args.map((arg) => toGenerated(this.idl, arg.type, args[arg.name]));
    const send = client[fn.name] as (...params: unknown[]) => Promise<unknown>;
    let settle: ((error: Error) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      settle = reject;
      this.inFlight.add(reject);
      timer = setTimeout(() => reject(new Error(`no answer to ${service}.${method} within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const result = await Promise.race([send.apply(client, params), failed]);
      return fn.returns.kind === 'void' ? null : fromGenerated(this.idl, fn.returns, result) ?? null;
    } catch (error) {
      throw contractError(this.idl, fn, error);
    } finally {
      clearTimeout(timer);
      if (settle) this.inFlight.delete(settle);
    }
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the client is closed');
    this.opened.close();
  }
}

export async function connectNpmThrift(endpoint: ThriftEndpoint, options: ThriftClientOptions): Promise<ThriftClientHandle> {
  // mismatched-protocol: the whole connection speaks the other protocol (npm thrift has one per connection).
  const stack = stackFor(endpoint.transport, options.writeProtocol ?? endpoint.protocol, 'client');
  const opened = open(endpoint, stack);
  const connection = opened.connection;
  if (options.recorder) {
    if (connection.connection) recordSocket(connection.connection, options.recorder);
    else recordHttp(connection, options.recorder);
  }
  if (endpoint.transport !== 'http') {
    const timer = setTimeout(() => connection.emit('error', new Error(`no connection within ${options.timeoutMs} ms`)), options.timeoutMs);
    try {
      await connected(connection);
    } catch (error) {
      connection.destroy?.();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  return new NpmThriftClient(generatedIdl(), endpoint, stack, opened, options.timeoutMs);
}
