// Avro over HTTP, server side: any path, POST only; the body (sized or chunked) is one message
// in standard framing; the answer goes back with a Content-Length. Stateless: every request
// carries its own handshake.
//
// The body is decoded as it arrives and refused as soon as it cannot be a request: a declared
// or actual size beyond the limit (413), an empty message, a second message, or a run of empty
// frames after the message (400). The connection of a refused request is closed. Headers and
// body must arrive within limits.readTimeoutMs; a connection idle between requests, or whose
// answer is not read, is closed after limits.idleTimeoutMs (not while a handler runs); at most
// limits.maxConnections are open at once.
// node:http taken when first used, not imported: see impls/thrift/transport/http-client.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeStandardParts, StandardBodyDecoder } from '../framing/standard.ts';
import { HTTP_FRAME_BYTES } from './frames.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { AvroResponder } from '../responder.ts';
import { coalesce } from '../../wire/coalesce.ts';
import type { ConnectionRecorders } from '../../wire/recorder.ts';
import { maxBodyBytes } from './transport.ts';

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly limits?: Limits;
  readonly log?: (line: string) => void;
  /** Records each exchange's request and response bodies. */
  readonly recorders?: ConnectionRecorders;
}

export interface ListeningServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function serveHttp(responder: AvroResponder, options: HttpServerOptions): Promise<ListeningServer> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const log = options.log ?? (() => undefined);
  const limit = maxBodyBytes(limits);
  const server: Server = process.getBuiltinModule('node:http').createServer({
    // Node checks request and header timeouts every connectionsCheckingInterval (30 s by default).
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.readTimeoutMs / 4))),
    requestTimeout: limits.readTimeoutMs,
    headersTimeout: limits.readTimeoutMs,
    keepAliveTimeout: Math.min(5_000, limits.idleTimeoutMs),
  }, (req, res) => {
    const recorder = options.recorders?.connection(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    let refused = false;
    /** Answers with an error and closes the connection once the answer is out. */
    const refuse = (status: number, text: string): void => {
      if (refused) return;
      refused = true;
      log(`HTTP ${status}: ${text}`);
      req.pause();
      res.on('finish', () => req.socket.destroy());
      res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' }).end(text);
    };
    if (req.method !== 'POST') return refuse(405, 'Avro RPC over HTTP takes POST only');
    // The idle timeout (server.timeout) watches the socket between requests and while an answer
    // waits to be read; a handler may take as long as it takes.
    const idle = (): void => { req.socket.setTimeout(limits.idleTimeoutMs); };
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) {
      return refuse(413, `request body of ${declared} bytes exceeds the limit of ${limit} (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
    }
    const decoder = new StandardBodyDecoder(limits, { allowEmptyMessage: false });
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      recorder?.received(chunk);
      size += chunk.length;
      if (size > limit) return refuse(413, `request body exceeds ${limit} bytes (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
      try {
        decoder.push(chunk);
      } catch (error) {
        refuse(400, `bad Avro framing after ${size} bytes: ${(error as Error).message}`);
      }
    });
    req.on('end', () => {
      if (refused) return;
      let payload: Buffer;
      try {
        payload = decoder.finish(size);
      } catch (error) {
        return refuse(400, `bad Avro framing: ${(error as Error).message}`);
      }
      req.socket.setTimeout(0);
      responder.respondParts(payload).then((answer) => {
        const body = encodeStandardParts(answer ?? [], HTTP_FRAME_BYTES);
        const length = body.reduce((sum, part) => sum + part.length, 0);
        res.writeHead(200, { 'Content-Type': 'avro/binary', 'Content-Length': length });
        res.cork();
        for (const part of coalesce(body)) {
          recorder?.sent(part);
          res.write(part);
        }
        res.end();
        idle();
      }, (error: unknown) => {
        refuse(500, String(error));
        idle();
      });
    });
  });
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
