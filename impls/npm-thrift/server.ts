// Our Thrift server: socket (buffered or framed) or HTTP, any protocol axis value, including mixed
// pairs (reads requests in one protocol, writes responses in another). A connection that breaks
// the protocol or a limit is closed with a logged reason; the server keeps serving the others.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { DEFAULT_LIMITS, LimitExceeded, type Limits } from './limits.ts';
import { frame, MessageStream } from './message-stream.ts';
import { protocolClass, protocolPair } from './protocols.ts';
import { Thrift, type Processor, type ProtocolClass } from './runtime.ts';
import { InputBuffer, OutputCollector } from './transports.ts';
import type { ConnectionRecorders } from '../wire/recorder.ts';

export interface ServerOptions {
  readonly transport: 'buffered' | 'framed' | 'http';
  /** A protocol axis value: binary, compact, json, multiplexed-binary, mixed-compact-binary, ... */
  readonly protocol: string;
  readonly processor: Processor;
  readonly host: string;
  readonly port: number;
  /** HTTP only: the one path served (others answer 404). */
  readonly httpPath?: string;
  readonly limits?: Partial<Limits>;
  /** Called with a reason whenever a connection or request is refused. */
  readonly onReject?: (reason: string) => void;
  /** Records every connection's bytes (HTTP: each exchange's bodies). */
  readonly recorders?: ConnectionRecorders;
}

export interface RunningThriftServer {
  readonly port: number;
  close(): Promise<void>;
}

interface Codec {
  readonly Request: ProtocolClass;
  readonly Response: ProtocolClass;
  readonly limits: Limits;
}

function codecFor(options: ServerOptions): Codec {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const pair = protocolPair(options.protocol);
  return { Request: protocolClass(pair.request, limits), Response: protocolClass(pair.response, limits), limits };
}

/** Reads one request from data and dispatches it; the processor writes the answer to sink. */
function dispatch(codec: Codec, processor: Processor, data: Buffer, sink: (message: Buffer) => void): { used: number; mtype: number } {
  const input = new InputBuffer(data, codec.limits);
  const request = new codec.Request(input);
  // Peek at the header first (on a second reader) so that HTTP knows a one-way call.
  const mtype = new codec.Request(new InputBuffer(data, codec.limits)).readMessageBegin().mtype;
  if (mtype !== Thrift.MessageType.CALL && mtype !== Thrift.MessageType.ONEWAY) {
    throw new LimitExceeded(`expected a CALL or ONEWAY message, got message type ${mtype}`);
  }
  processor.process(request, new codec.Response(new OutputCollector(sink)));
  return { used: input.position, mtype };
}

export function startThriftServer(options: ServerOptions): Promise<RunningThriftServer> {
  return options.transport === 'http' ? startHttp(options) : startSocket(options);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function startSocket(options: ServerOptions): Promise<RunningThriftServer> {
  const codec = codecFor(options);
  const framing = options.transport === 'framed' ? 'framed' : 'buffered';
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const recorder = options.recorders?.connection(`${socket.remoteAddress}:${socket.remotePort}`);
    const send = (message: Buffer): void => {
      if (socket.destroyed) return;
      const bytes = framing === 'framed' ? frame(message) : message;
      recorder?.sent(bytes);
      socket.write(bytes);
    };
    const stream = new MessageStream(framing, codec.limits, (data) => dispatch(codec, options.processor, data, send).used);
    socket.on('data', (chunk: Buffer) => {
      recorder?.received(chunk);
      try {
        stream.push(chunk);
      } catch (error) {
        options.onReject?.(`closing connection from ${socket.remoteAddress}:${socket.remotePort}: ${describe(error)}`);
        socket.destroy();
      }
    });
    socket.on('end', () => {
      if (stream.buffered > 0) options.onReject?.(`connection ended inside a message (${stream.buffered} bytes unread)`);
      socket.end();
    });
  });
  return listen(server, options, () => { for (const socket of sockets) socket.destroy(); });
}

function startHttp(options: ServerOptions): Promise<RunningThriftServer> {
  const codec = codecFor(options);
  const path = options.httpPath ?? '/thrift';
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const recorder = options.recorders?.connection(`${request.socket.remoteAddress}:${request.socket.remotePort}`);
    const refuse = (status: number, reason: string): void => {
      options.onReject?.(`HTTP ${status}: ${reason}`);
      if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
      response.end(`${reason}\n`);
      request.resume();
    };
    if (request.method !== 'POST') return refuse(405, `method ${request.method} not allowed`);
    if ((request.url ?? '').split('?')[0] !== path) return refuse(404, `no Thrift service at ${request.url}`);
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > codec.limits.maxMessageSize) return refuse(413, `body of ${declared} bytes exceeds ${codec.limits.maxMessageSize}`);
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > codec.limits.maxMessageSize) {
        refuse(413, `body exceeds ${codec.limits.maxMessageSize} bytes`);
        request.destroy();
      } else {
        recorder?.received(chunk);
        parts.push(chunk);
      }
    });
    request.on('end', () => {
      if (response.writableEnded) return;
      const body = Buffer.concat(parts);
      const reply = (message: Buffer): void => {
        if (response.writableEnded) return;
        response.writeHead(200, { 'content-type': 'application/x-thrift', 'content-length': message.length });
        recorder?.sent(message);
        response.end(message);
      };
      try {
        const { used, mtype } = dispatch(codec, options.processor, body, reply);
        if (used !== body.length) options.onReject?.(`HTTP body has ${body.length - used} bytes after its message`);
        // A one-way call has no answer; the HTTP exchange still needs one.
        if (mtype === Thrift.MessageType.ONEWAY) reply(Buffer.alloc(0));
      } catch (error) {
        refuse(400, `bad Thrift request: ${describe(error)}`);
      }
    });
  });
  return listen(server, options, () => server.closeAllConnections());
}

function listen(server: Server, options: ServerOptions, dropConnections: () => void): Promise<RunningThriftServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        port,
        close: () => new Promise<void>((done) => {
          dropConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
