// Avro over HTTP, server side: any path, POST only; the body (sized or chunked) is one message
// in standard framing; the answer goes back with a Content-Length. Stateless: every request
// carries its own handshake.
//
// The body is decoded as it arrives and refused as soon as it cannot be a request: a declared
// or actual size beyond the limit (413), an empty message, a second message, or a run of empty
// frames after the message (400). The connection of a refused request is closed. Headers and
// body must arrive within limits.readTimeoutMs (from the connection's opening for its first
// request); a connection whose answer is not read is closed after limits.idleTimeoutMs, one idle
// between requests after node's keep-alive timeout (the lesser of 5 s and idleTimeoutMs, plus
// node's 1 s of grace), never while a handler runs; at most limits.maxConnections are open at once.
// node:http taken when first used, not imported: see impls/thrift/transport/http-client.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeStandardParts } from '../framing/standard.ts';
import { BodySizes, FramedBodyReader } from './body.ts';
import { HTTP_FRAME_BYTES } from './frames.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { Answer, AvroResponder } from '../responder.ts';
import { coalesce } from '../../wire/coalesce.ts';
import { releaseNow } from '../../wire/release.ts';
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
  /** A request's declared length is believed up to 128 KiB (any client may declare one); a larger body grows as its bytes come. */
  const bodySizes = new BodySizes(128 * 1024, { trustReceived: false });
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
    /** An answer the kernel has not taken all of is watched by the idle timeout until it is read. */
    const watchUnread = (): void => {
      if (req.socket.writableLength > 0) req.socket.setTimeout(limits.idleTimeoutMs);
    };
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) {
      return refuse(413, `request body of ${declared} bytes exceeds the limit of ${limit} (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
    }
    const reader = new FramedBodyReader(limits, bodySizes.capacity(declared), { allowEmptyMessage: false });
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      recorder?.received(chunk);
      size += chunk.length;
      if (size > limit) return refuse(413, `request body exceeds ${limit} bytes (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
      try {
        reader.push(chunk);
      } catch (error) {
        refuse(400, `bad Avro framing after ${size} bytes: ${(error as Error).message}`);
      }
      // The reader copied what it keeps. node:http gives each body piece in a copy of its own and
      // keeps no reference: freed now, it does not count towards the next full collection
      // (wire/release.ts). A recorder keeps it instead.
      if (!recorder) releaseNow(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      let payload: Buffer;
      try {
        payload = reader.finish(size);
      } catch (error) {
        return refuse(400, `bad Avro framing: ${(error as Error).message}`);
      }
      bodySizes.received(size, declared);
      let answered: Answer | Promise<Answer>;
      try {
        answered = responder.answer(payload);
      } catch (error) {
        return refuse(500, String(error));
      }
      if (!(answered instanceof Promise)) {
        send(answered);
        watchUnread();
        return;
      }
      answered.then((answer) => {
        send(answer);
        watchUnread();
      }, (error: unknown) => refuse(500, String(error)));
    });
    /** The answer with its Content-Length; a small one in one buffer, in one write with the head. */
    const send = (answer: Answer): void => {
      const body = encodeStandardParts(answer ?? [], HTTP_FRAME_BYTES);
      if (body.length === 1) {
        const only = body[0] as Buffer;
        res.writeHead(200, { 'Content-Type': 'avro/binary', 'Content-Length': only.length });
        recorder?.sent(only);
        res.end(only);
        return;
      }
      const length = body.reduce((sum, part) => sum + part.length, 0);
      res.writeHead(200, { 'Content-Type': 'avro/binary', 'Content-Length': length });
      res.cork();
      for (const part of coalesce(body)) {
        recorder?.sent(part);
        res.write(part);
      }
      res.end();
    };
  });
  // No server.timeout: node would arm it as each request comes and refresh it on every read and
  // write (~1 µs a call, impls/avro/profile/README.md). A connection is watched by headersTimeout
  // and requestTimeout from its opening and while a request comes (readTimeoutMs), by node's
  // keepAliveTimeout between requests, and by the idle timeout while an answer waits to be read
  // (above). A handler may take as long as it takes.
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
