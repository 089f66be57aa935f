// Avro over HTTP, server side: any path, POST only; the body (sized or chunked) is one message
// in standard framing; the answer goes back with a Content-Length. Stateless: every request
// carries its own handshake.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeStandardBody, encodeStandard } from '../framing/standard.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { AvroResponder } from '../responder.ts';
import type { ConnectionRecorders } from '../../wire/recorder.ts';

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
  const server: Server = createServer((req, res) => {
    const recorder = options.recorders?.connection(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    const fail = (status: number, text: string): void => {
      log(`HTTP ${status}: ${text}`);
      res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' }).end(text);
    };
    if (req.method !== 'POST') return fail(405, 'Avro RPC over HTTP takes POST only');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxMessageBytes + 1024) {
        fail(413, `request body exceeds ${limits.maxMessageBytes} bytes`);
        req.destroy();
        return;
      }
      chunks.push(chunk);
      recorder?.received(chunk);
    });
    req.on('end', () => {
      let payload: Buffer;
      try {
        payload = decodeStandardBody(Buffer.concat(chunks), limits);
      } catch (error) {
        return fail(400, `bad Avro framing: ${(error as Error).message}`);
      }
      responder.respond(payload).then((answer) => {
        const body = encodeStandard(answer ?? Buffer.alloc(0));
        recorder?.sent(body);
        res.writeHead(200, { 'Content-Type': 'avro/binary', 'Content-Length': body.length }).end(body);
      }, (error: unknown) => fail(500, String(error)));
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
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
