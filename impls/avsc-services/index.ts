// avsc 5's built-in IPC ("services") behind the same small API as our stack, so the matrix can
// show cell by cell where what a TypeScript user picks today interoperates.
//
// Used the way avsc's documentation shows: a stateless function transport for HTTP (avsc frames
// the body with standard framing; Node's http.request sends it chunked, with no Content-Length),
// and a duplex socket for stateful connections (always Netty framing). Types use BigInt longs and
// wrapped unions like ours (a type-level choice every careful avsc user makes for 64-bit longs);
// avsc's own map reading and everything in the IPC layer stay avsc's.
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import avsc from 'avsc';
// The error classes and types alone, not the index: this module loads in a worker thread per client
// connection (adapter.ts), and the index would load all of our own implementation there each time.
import { AvroRemoteError, AvroSystemError, AvroTransportError } from '../avro/errors.ts';
import type { Handlers } from '../avro/responder.ts';
import { newRegistry, typeOptions } from '../avro/types.ts';
import { recordStream, type WireRecorder } from '../wire/recorder.ts';

export const AVSC_VERSION = '5.7.9';

interface AvscService {
  createClient(opts?: object): AvscClient;
  createServer(opts?: object): AvscServer;
}
interface AvscClient {
  createChannel(transport: unknown, opts?: object): { destroy(noWait?: boolean): void };
  emitMessage(name: string, request: unknown, opts: object, cb: (err: unknown, res: unknown) => void): void;
  destroyChannels(opts?: object): void;
}
interface AvscServer {
  createChannel(transport: unknown, opts?: object): unknown;
  onMessage(name: string, handler: (request: Record<string, unknown>, cb: (err: unknown, res?: unknown) => void) => void): AvscServer;
  on(event: string, listener: (...args: unknown[]) => void): AvscServer;
}

function service(protocolJson: object): AvscService {
  const options = typeOptions({ registry: newRegistry() }, false);
  return (avsc.Service as unknown as { forProtocol(p: object, o: object): AvscService }).forProtocol(structuredClone(protocolJson), options);
}

export interface AvscCaller {
  call(message: string, parameters: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** http://host:port/ (stateless) or netty://host:port (stateful, Netty framing). */
export interface AvscConnectOptions {
  readonly timeoutMs?: number;
  /** Told every byte of avsc's channels (HTTP: the bodies), for wire dumps. */
  readonly recorder?: WireRecorder;
}

export async function connectAvsc(address: string, protocolJson: object, options: AvscConnectOptions = {}): Promise<AvscCaller> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const recorder = options.recorder;
  const url = new URL(address);
  const client = service(protocolJson).createClient({ strictTypes: true, timeout: timeoutMs });
  let socket: Socket | undefined;
  if (url.protocol === 'http:') {
    client.createChannel((cb: (err: unknown, readable?: IncomingMessage) => void) => {
      const request = httpRequest({ method: 'POST', host: url.hostname, port: url.port, path: url.pathname, headers: { 'Content-Type': 'avro/binary' } },
        (res) => {
          if (recorder) res.on('data', (chunk: Buffer) => recorder.received(chunk));
          cb(null, res);
        }).on('error', (err) => cb(err));
      if (recorder) recordStream(request, recorder); // a request is only written to: this records the body
      return request;
    });
  } else if (url.protocol === 'netty:') {
    socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: url.hostname, port: Number(url.port) }, () => resolve(s));
      s.once('error', reject);
    });
    if (recorder) recordStream(socket, recorder);
    client.createChannel(socket);
  } else {
    throw new Error(`avsc services speak http:// and netty:// only, not ${url.protocol}`);
  }
  return {
    call: (message, parameters) => new Promise((resolve, reject) => {
      client.emitMessage(message, parameters, { timeout: timeoutMs }, (err, res) => {
        if (err === null || err === undefined) return resolve(res);
        reject(toError(err));
      });
    }),
    close: async () => {
      client.destroyChannels({ noWait: true });
      socket?.destroy();
    },
  };
}

/** avsc's error shapes (strict mode): a wrapped union {"string": text} or {"Type": record}, or an Error. */
function toError(err: unknown): Error {
  if (err instanceof Error) return new AvroTransportError(err.message);
  if (err && typeof err === 'object') {
    const [branch, value] = Object.entries(err as Record<string, unknown>)[0] ?? [];
    if (branch === 'string') return new AvroSystemError(String(value));
    if (branch) return new AvroRemoteError(branch, value as Record<string, unknown>);
  }
  return new AvroSystemError(String(err));
}

export interface AvscListening {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenAvsc(address: string, protocolJson: object, handlers: Handlers): Promise<AvscListening> {
  const url = new URL(address);
  const server = service(protocolJson).createServer({ silent: true, strictTypes: true });
  server.on('error', () => undefined);
  for (const [name, handler] of Object.entries(handlers)) {
    server.onMessage(name, (request, cb) => {
      const answered = Promise.resolve().then(() => handler(request, { message: name, callMeta: {}, handshakeMeta: null }));
      // avsc calls one-way handlers without a callback: nothing goes back.
      if (typeof cb !== 'function') {
        answered.catch(() => undefined);
        return;
      }
      answered.then((response) => cb(undefined, response), (error: unknown) => {
          if (error instanceof AvroRemoteError) cb({ [error.errorType]: error.value });
          else cb({ string: error instanceof Error ? error.message : String(error) });
        });
    });
  }
  const host = url.hostname;
  const port = Number(url.port);
  if (url.protocol === 'http:') {
    const http = createHttpServer((req, res) => {
      // avsc may write to a response it already ended (an extra message in one body: see the
      // known failures); Node then emits 'error', which must not bring the process down.
      res.on('error', () => undefined);
      req.on('error', () => undefined);
      server.createChannel((cb: (err: unknown, writable?: unknown) => void) => {
        res.setHeader('Content-Type', 'avro/binary');
        cb(null, res);
        return req;
      });
    });
    await new Promise<void>((resolve) => http.listen(port, host, resolve));
    return { port: (http.address() as AddressInfo).port, close: () => new Promise((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }) };
  }
  if (url.protocol === 'netty:') {
    const sockets = new Set<Socket>();
    const tcp = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      server.createChannel(socket);
    });
    await new Promise<void>((resolve) => tcp.listen(port, host, resolve));
    return { port: (tcp.address() as AddressInfo).port, close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); tcp.close(() => resolve()); }) };
  }
  throw new Error(`avsc services serve http:// and netty:// only, not ${url.protocol}`);
}
