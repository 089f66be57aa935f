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
import { releaseNow } from '../../wire/release.ts';
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
  const { limits } = serving;
  const handle = (request: IncomingMessage, response: ServerResponse): void => exchange(serving, request, response);
  const options = {
    // Node checks the request and header timeouts every connectionsCheckingInterval (30 s by
    // default), so without this a slow request outlived readTimeoutMs by up to 30 s.
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.readTimeoutMs / 4))),
    // The whole request within readTimeoutMs (from the connection's opening for its first one).
    requestTimeout: limits.readTimeoutMs,
    headersTimeout: Math.min(limits.readTimeoutMs, 60_000),
    // A kept-alive connection waiting for its next request closes after this (plus node's 1 s of grace).
    keepAliveTimeout: Math.min(5_000, limits.idleTimeoutMs),
  };
  let server: Server;
  if ((serving.address.socket ?? 'tcp') === 'tls') {
    const tls = serving.address.tls;
    if (!tls?.cert || !tls.key) throw new TransportError('an HTTPS server needs tls.cert and tls.key');
    server = process.getBuiltinModule('node:https').createServer({ ...options, cert: readFileSync(tls.cert), key: readFileSync(tls.key), minVersion: 'TLSv1.2' }, handle);
    server.on('tlsClientError', (error: Error) => serving.onReject(`TLS handshake failed: ${error.message}`));
  } else {
    server = process.getBuiltinModule('node:http').createServer(options, handle);
  }
  // No server.timeout: node arms it as each request comes and refreshes it on every read and write
  // of the connection (a timer list insertion per call). What bounds a connection instead: the
  // request and header timeouts while a request comes, the keep-alive timeout between requests,
  // and the idle timeout while an answer waits for the peer to read it (watchUnread). A handler
  // may take as long as it takes.
  server.maxRequestsPerSocket = 0;
  // Connections over the cap are dropped by node at accept.
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: Error, socket) => {
    serving.onReject(`bad HTTP request: ${error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/**
 * One POST: the body is scanned as it arrives, the call processed once it has all come, the answer
 * written at once. Everything that can be is synchronous: a request costs no promise of ours unless
 * its handler returns one.
 */
function exchange(serving: HttpServing, request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  const peer = `${socket.remoteAddress ?? 'unix'}:${socket.remotePort ?? ''}`;
  const recorder = serving.recorders?.connection(peer);
  let refused = false;
  const refuse = (status: number, reason: string): void => {
    refused = true;
    serving.onReject(`HTTP ${status} to ${peer}: ${reason}`);
    if (!response.headersSent) {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      response.end(`${reason}\n`);
    }
  };
  if (request.method !== 'POST') {
    refuse(405, `method ${request.method ?? '?'} not allowed; Thrift calls are POSTed`);
    return;
  }
  const url = request.url ?? '';
  if (url !== serving.httpPath && url.split('?')[0] !== serving.httpPath) {
    refuse(404, `no Thrift service at ${url || '?'} (it is at ${serving.httpPath})`);
    return;
  }
  const declared = request.headers['content-length'];
  const max = serving.limits.maxMessageSize;
  if (declared !== undefined && (!/^[0-9]+$/.test(declared) || Number(declared) > max)) {
    refuse(413, `body of ${declared} bytes is over the limit of ${max}`);
    return;
  }
  // The body goes through the same message scanner as the buffered transport as it arrives: a body
  // that is no Thrift message is refused at its first bad bytes, not after all of it was taken
  // (100 MB of zeros grew the server by 166 MB when it was collected first), and a complete message
  // is copied out once.
  const splitter = new UnframedSplitter(serving.read, serving.limits);
  let message: Buffer | undefined;
  let size = 0;
  /** Refuses a body being read, and stops reading it. */
  const stop = (status: number, reason: string): void => {
    refuse(status, reason);
    request.destroy();
  };
  request.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > max) return stop(413, `body over the limit of ${max} bytes`);
    recorder?.received(chunk);
    let messages: readonly Buffer[];
    try {
      // Borrowed: the splitter copies what it keeps, so the piece can be freed at once. node:http
      // gives each body piece in a copy of its own and keeps no reference; left to the collector,
      // the pieces count towards V8's next full collection (wire/release.ts). A recorder keeps them.
      messages = splitter.push(chunk, true);
    } catch (error) {
      return stop(400, `unreadable Thrift request: ${describe(error)}`);
    } finally {
      if (!recorder) releaseNow(chunk);
    }
    if (messages.length > 1 || (messages.length === 1 && (message !== undefined || splitter.pending > 0))) {
      return stop(400, 'the body holds more than one Thrift message');
    }
    if (messages.length === 1) message = messages[0];
  });
  request.on('end', () => {
    if (refused || response.writableEnded) return;
    if (message === undefined) return refuse(400, size > 0 ? `the body ends inside a Thrift message (${size} bytes)` : 'empty body: a Thrift message was expected');
    let processed: Processed | Promise<Processed>;
    try {
      processed = serving.processor.process(message, serving.read, serving.write, peer);
    } catch (error) {
      return processFailed(error);
    }
    if (processed instanceof Promise) processed.then(answer, processFailed);
    else answer(processed);
  });
  const processFailed = (error: unknown): void => {
    refuse(400, error instanceof ProtocolError ? `unreadable Thrift request: ${error.message}` : `server error: ${describe(error)}`);
  };
  /** The answer with its length; a small one in one write with the head. */
  const answer = (processed: Processed): void => {
    if (response.writableEnded || response.destroyed) return;
    // The answer's segments go out as they are (a 64 KiB binary value is not copied into one
    // buffer first), corked so that the head and the body leave in one system call.
    const segments = processed.reply ? coalesce(processed.reply.finish()) : [];
    let length = 0;
    for (const segment of segments) length += segment.length;
    response.writeHead(200, processed.closeAfter
      ? { 'content-type': 'application/x-thrift', 'content-length': length, connection: 'close' }
      : { 'content-type': 'application/x-thrift', 'content-length': length });
    if (segments.length <= 1) {
      const only = segments[0];
      if (only) recorder?.sent(only);
      response.end(only);
    } else {
      response.cork();
      const last = segments.length - 1;
      for (let i = 0; i < last; i++) {
        recorder?.sent(segments[i] as Buffer);
        response.write(segments[i]);
      }
      recorder?.sent(segments[last] as Buffer);
      response.end(segments[last]);
      while (response.writableCorked > 0) response.uncork();
    }
    // An answer the kernel has not taken all of is watched by the idle timeout until it is read.
    if (socket.writableLength > 0) socket.setTimeout(serving.limits.idleTimeoutMs);
  };
}
