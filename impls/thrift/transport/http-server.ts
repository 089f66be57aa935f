// The HTTP server transport: one Thrift message per POST body (path /thrift), the answer as the
// response body. A one-way call is answered 200 with an empty body once its handler has run, as
// Java's TServlet does (Python's THttpServer answers 200 before running it; both send no
// message). Bodies are limited before they are read; slow requests time out.
// node:http(s) taken when first used, not imported: see http-client.ts.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { describe, ProtocolError, TransportError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { Processed, Processor } from '../processor.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { UnframedSplitter } from '../framing/splitters.ts';
import type { ConnectionRecorders } from '../../wire/recorder.ts';
import { coalesce } from '../../wire/coalesce.ts';
import type { SocketAddress } from './sockets.ts';

export interface HttpServing {
  readonly address: SocketAddress;
  readonly httpPath: string;
  readonly read: ProtocolName;
  readonly write: ProtocolName;
  readonly limits: Limits;
  readonly processor: Processor;
  readonly recorders: ConnectionRecorders | undefined;
  readonly onReject: (reason: string) => void;
}

export function createThriftHttpServer(serving: HttpServing): Server {
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    void exchange(serving, request, response);
  };
  // Node checks the request and header timeouts every connectionsCheckingInterval (30 s by
  // default), so without this a slow request outlived readTimeoutMs by up to 30 s.
  const checking = { connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(serving.limits.readTimeoutMs / 4))) };
  let server: Server;
  if ((serving.address.socket ?? 'tcp') === 'tls') {
    const tls = serving.address.tls;
    if (!tls?.cert || !tls.key) throw new TransportError('an HTTPS server needs tls.cert and tls.key');
    server = process.getBuiltinModule('node:https').createServer({ ...checking, cert: readFileSync(tls.cert), key: readFileSync(tls.key), minVersion: 'TLSv1.2' }, handle);
    server.on('tlsClientError', (error: Error) => serving.onReject(`TLS handshake failed: ${error.message}`));
  } else {
    server = process.getBuiltinModule('node:http').createServer(checking, handle);
  }
  // The whole request within readTimeoutMs; an idle kept-alive connection closes after idleTimeoutMs.
  server.requestTimeout = serving.limits.readTimeoutMs;
  server.headersTimeout = Math.min(serving.limits.readTimeoutMs, 60_000);
  server.timeout = serving.limits.idleTimeoutMs;
  server.maxRequestsPerSocket = 0;
  // Connections over the cap are dropped by node at accept.
  server.maxConnections = serving.limits.maxConnections;
  server.on('clientError', (error: Error, socket) => {
    serving.onReject(`bad HTTP request: ${error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function exchange(serving: HttpServing, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const peer = `${request.socket.remoteAddress ?? 'unix'}:${request.socket.remotePort ?? ''}`;
  const recorder = serving.recorders?.connection(peer);
  const refuse = (status: number, reason: string): void => {
    serving.onReject(`HTTP ${status} to ${peer}: ${reason}`);
    if (!response.headersSent) {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      response.end(`${reason}\n`);
    }
  };
  if (request.method !== 'POST') return refuse(405, `method ${request.method ?? '?'} not allowed; Thrift calls are POSTed`);
  if ((request.url ?? '').split('?')[0] !== serving.httpPath) return refuse(404, `no Thrift service at ${request.url ?? '?'} (it is at ${serving.httpPath})`);
  const declared = request.headers['content-length'];
  const max = serving.limits.maxMessageSize;
  if (declared !== undefined && (!/^[0-9]+$/.test(declared) || Number(declared) > max)) {
    return refuse(413, `body of ${declared} bytes is over the limit of ${max}`);
  }
  // The body goes through the same message scanner as the buffered transport as it arrives: a body
  // that is no Thrift message is refused at its first bad bytes, not after all of it was taken
  // (100 MB of zeros grew the server by 166 MB when it was collected first), and a complete message
  // is copied out once.
  const splitter = new UnframedSplitter(serving.read, serving.limits);
  const messages: Buffer[] = [];
  let size = 0;
  let refused = false;
  await new Promise<void>((resolve) => {
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      const stop = (status: number, reason: string): void => {
        refused = true;
        refuse(status, reason);
        request.destroy();
        resolve();
      };
      if (size > max) return stop(413, `body over the limit of ${max} bytes`);
      recorder?.received(chunk);
      try {
        messages.push(...splitter.push(chunk));
      } catch (error) {
        return stop(400, `unreadable Thrift request: ${describe(error)}`);
      }
      if (messages.length > 1 || (messages.length === 1 && splitter.pending > 0)) {
        return stop(400, 'the body holds more than one Thrift message');
      }
    });
    request.on('end', () => resolve());
    request.on('close', () => resolve());
    request.on('error', () => resolve());
  });
  if (refused || response.writableEnded) return;
  if (!request.complete) return; // the client went away mid-body
  if (size > 0 && messages.length === 0) return refuse(400, `the body ends inside a Thrift message (${size} bytes)`);
  const body = messages[0] ?? Buffer.alloc(0);
  if (body.length === 0) return refuse(400, 'empty body: a Thrift message was expected');
  let processed: Processed;
  try {
    processed = await serving.processor.process(body, serving.read, serving.write, peer);
  } catch (error) {
    return refuse(400, error instanceof ProtocolError ? `unreadable Thrift request: ${error.message}` : `server error: ${describe(error)}`);
  }
  if (response.writableEnded || response.destroyed) return;
  // The answer's segments go out as they are (a 64 KiB binary value is not copied into one
  // buffer first), corked so that the head and the body leave in one system call.
  const segments = processed.reply ? coalesce(processed.reply.finish()) : [];
  const length = segments.reduce((sum, segment) => sum + segment.length, 0);
  response.writeHead(200, {
    'content-type': 'application/x-thrift',
    'content-length': length,
    ...(processed.closeAfter ? { connection: 'close' } : {}),
  });
  const last = segments.at(-1);
  if (last === undefined) {
    response.end();
    return;
  }
  response.cork();
  for (const segment of segments) {
    recorder?.sent(segment);
    if (segment !== last) response.write(segment);
  }
  response.end(last);
  while (response.writableCorked > 0) response.uncork();
}
