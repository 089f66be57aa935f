// Our Thrift server: one service (or several, multiplexed) over any transport and socket of the
// axes, any protocol pair. Port 0 binds a free port (reported back).
import type { Server } from 'node:net';
import { framingOf, protocolPlan, transportName } from './axis.ts';
import { loadIdl } from './idl/load.ts';
import type { Idl } from './idl/model.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { Processor, type Handlers } from './processor.ts';
import { Session } from './session.ts';
import { framingFor } from './transport/framing.ts';
import { createThriftHttpServer } from './transport/http-server.ts';
import { PlainLink, peerOf, ZlibLink } from './transport/link.ts';
import { listenSocket, removeStaleSocket, type SocketAddress } from './transport/sockets.ts';
import { TransportError } from './errors.ts';
import type { ConnectionRecorders } from '../wire/recorder.ts';

export interface Endpoint extends SocketAddress {
  /** buffered, framed, fastframed, http, zlib, header, header-zlib. */
  readonly transport: string;
  /** A protocol axis word: binary, compact, json, accel-binary, multiplexed-*, default-service-*, mixed-*-*. */
  readonly protocol: string;
  /** HTTP path (default /thrift). */
  readonly httpPath?: string;
}

export interface ServerEndpoint extends Endpoint {
  /** The matrix's server kind word; this implementation has one server, the word is only reported. */
  readonly serverKind?: string;
}

export interface ServeOptions {
  /** A recorder per accepted connection (HTTP: per exchange), told every byte. */
  readonly recorders?: ConnectionRecorders;
  readonly limits?: Partial<Limits>;
  /** Plain (non-multiplexed) names go to this service; required when several services are served plainly. */
  readonly defaultService?: string;
  /** Told why a connection or request was refused (bad bytes, limits, timeouts). Default: stderr. */
  readonly onReject?: (reason: string) => void;
  /** Told about handler failures (undeclared errors, failed one-way calls). Default: stderr. */
  readonly log?: (line: string) => void;
  /** Binary: refuse the old non-strict message header (default: accept both). */
  readonly strictRead?: boolean;
}

export interface ThriftServer {
  /** The bound TCP port (0 for a unix socket). */
  readonly port: number;
  readonly path: string | undefined;
  /** Connections open now (socket transports). */
  readonly connections: number;
  close(): Promise<void>;
}

const toStderr = (line: string): void => {
  process.stderr.write(`[thrift server] ${line}\n`);
};

export async function serve(endpoint: ServerEndpoint, idlOrPath: Idl | string, handlers: Handlers, options: ServeOptions = {}): Promise<ThriftServer> {
  const idl = typeof idlOrPath === 'string' ? loadIdl(idlOrPath) : idlOrPath;
  const transport = transportName(endpoint.transport);
  const plan = protocolPlan(endpoint.protocol, 'server');
  const limits = resolveLimits(options.limits);
  const onReject = options.onReject ?? toStderr;
  const services = Object.keys(handlers);
  let defaultService = options.defaultService;
  if (plan.defaultService && defaultService === undefined) {
    throw new Error(`protocol ${endpoint.protocol} needs options.defaultService (the service plain calls go to)`);
  }
  if (!plan.multiplexed && defaultService === undefined) {
    if (services.length !== 1) throw new Error(`a ${endpoint.protocol} (not multiplexed) server serves one service; got ${services.length} (${services.join(', ')}): pass defaultService`);
    defaultService = services[0];
  }
  const processor = new Processor(idl, handlers, {
    multiplexed: plan.multiplexed, defaultService, limits, strictRead: options.strictRead ?? false, log: options.log ?? toStderr,
  });

  if (transport === 'http') {
    const server = createThriftHttpServer({
      address: endpoint, httpPath: endpoint.httpPath ?? '/thrift', read: plan.request, write: plan.response, limits, processor,
      recorders: options.recorders, onReject,
    });
    const bound = await listen(server, endpoint);
    return {
      port: bound.port, path: bound.path, connections: 0,
      close: () => new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
    };
  }

  const sessions = new Set<Session>();
  const header = framingOf(transport) === 'header';
  if (header && (plan.request === 'json' || plan.response === 'json')) throw new Error('THeader carries binary or compact only');
  const listening = await listenSocket(endpoint, (socket, reads) => {
    const peer = peerOf(socket);
    if (sessions.size >= limits.maxConnections) {
      onReject(`refusing connection from ${peer}: ${sessions.size} connections open (limit ${limits.maxConnections})`);
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const recorder = options.recorders?.connection(peer);
    const link = transport === 'zlib' ? new ZlibLink(socket, recorder, peer) : new PlainLink(socket, recorder, peer, reads);
    const session: Session = new Session(link, framingFor(transport, plan.request, limits), processor, {
      limits, writeProtocol: plan.response, answerInRequestProtocol: header, onReject,
    }, () => sessions.delete(session));
    sessions.add(session);
    session.start();
  }, onReject, { ownReads: transport !== 'zlib' });
  return {
    port: listening.port,
    path: listening.path,
    get connections() {
      return sessions.size;
    },
    close: () => new Promise<void>((resolve) => {
      listening.server.close(() => resolve());
      for (const session of sessions) session.destroy();
    }),
  };
}

async function listen(server: Server, endpoint: Endpoint): Promise<{ port: number; path: string | undefined }> {
  if (endpoint.socket === 'unix' && endpoint.path) await removeStaleSocket(endpoint.path);
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new TransportError(`cannot listen: ${error.message}`)));
    const done = (): void => {
      const address = server.address();
      resolve({ port: typeof address === 'object' && address !== null ? address.port : 0, path: endpoint.socket === 'unix' ? endpoint.path : undefined });
    };
    if (endpoint.socket === 'unix') {
      if (!endpoint.path) throw new TransportError('a unix socket server needs a path');
      server.listen(endpoint.path, done);
    } else {
      server.listen(endpoint.port ?? 0, endpoint.host ?? '127.0.0.1', done);
    }
  });
}
