// Avro over HTTP, client side: one POST per call, body = standard framing, always with a
// Content-Length (a chunked body hangs Python's http.server based responders: field note 1).
//
// HTTP/1.1 is spoken directly over kept-alive sockets (connections.ts, and the response parser
// shared with Thrift's client: impls/wire/http-response-parser.ts), one request at a time per
// connection. node's http.request took 92% of this client's time per
// call (issue 15's profile; here 25% of the CPU of an int echo): an agent, a ClientRequest and an
// IncomingMessage per call, and their event plumbing. Answers delimited by Content-Length, by
// chunked coding or by the end of the connection are all read.
//
// Every exchange has a deadline (timeoutMs): when it passes, the request is aborted and its
// socket destroyed, so a server that trickles an answer cannot keep the socket after the call
// failed. The answer is decoded as it arrives and may not exceed limits.maxMessageBytes (plus
// framing); an answer the server declares larger fails before its body is read.
import { AvroTransportError } from '../errors.ts';
import { encodeStandardParts, StandardBodyDecoder } from '../framing/standard.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { ClientTransport } from '../transport.ts';
import { ConnectionPool } from './connections.ts';
import { ResponseParser } from '../../wire/http-response-parser.ts';
import type { WireRecorder } from '../../wire/recorder.ts';

export interface HttpClientOptions {
  readonly limits?: Limits;
  readonly timeoutMs?: number;
  readonly recorder?: WireRecorder;
}

/** Framing overhead allowed on top of maxMessageBytes: 4 bytes per frame and a few terminators. */
export function maxBodyBytes(limits: Limits): number {
  return limits.maxMessageBytes + Math.ceil(limits.maxMessageBytes / 1024) + 4 * (limits.maxTrailingEmptyFrames + 2);
}

export function httpClientTransport(url: URL, options: HttpClientOptions = {}): ClientTransport {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const ms = options.timeoutMs ?? 30_000;
  const limit = maxBodyBytes(limits);
  const pool = new ConnectionPool(url);
  const where = url.href;
  return {
    stateful: false,
    exchange: (payload) => new Promise<Buffer>((resolve, reject) => {
      const body = encodeStandardParts(Array.isArray(payload) ? payload : [payload as Buffer]);
      const length = body.reduce((sum, part) => sum + part.length, 0);
      let settled = false;
      let received = 0;
      let status = 0;
      let declared: number | undefined;
      const errorBody: Buffer[] = [];
      const decoder = new StandardBodyDecoder(limits);
      const socket = pool.take();
      const deadline = setTimeout(() => fail(new AvroTransportError(`no HTTP response within ${ms} ms`)), ms);
      function finish(): void {
        settled = true;
        clearTimeout(deadline);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onClose);
        socket.off('error', onError);
      }
      function fail(error: AvroTransportError): void {
        if (settled) return;
        finish();
        socket.destroy(); // nothing more is read or kept
        reject(error);
      }
      function succeed(message: Buffer, reusable: boolean): void {
        if (settled) return;
        finish();
        if (reusable) pool.give(socket);
        else socket.destroy();
        resolve(message);
      }
      const parser = new ResponseParser({
        head: (head) => {
          status = head.status;
          declared = head.contentLength;
          if (status === 200 && declared !== undefined && declared > limit) {
            throw new AvroTransportError(`HTTP response declares ${declared} bytes, more than the limit of ${limit} (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
          }
        },
        body: (bytes) => {
          options.recorder?.received(bytes);
          received += bytes.length;
          if (status !== 200) {
            if (received - bytes.length < 1024) errorBody.push(bytes);
            return;
          }
          if (received > limit) throw new AvroTransportError(`HTTP response exceeds ${limit} bytes (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
          try {
            decoder.push(bytes);
          } catch (error) {
            throw new AvroTransportError(`bad HTTP response body after ${received} bytes: ${(error as Error).message}`);
          }
        },
      });
      const complete = (reusable: boolean): void => {
        if (status !== 200) {
          fail(new AvroTransportError(`HTTP ${status} from ${where}: ${Buffer.concat(errorBody).toString('utf8', 0, 300)}`));
          return;
        }
        let message: Buffer;
        try {
          message = decoder.finish(received);
        } catch (error) {
          fail(new AvroTransportError(`bad HTTP response body (${received} bytes): ${(error as Error).message}`));
          return;
        }
        succeed(message, reusable);
      };
      function onData(chunk: Buffer): void {
        if (settled) return;
        let extra: number;
        try {
          extra = parser.push(chunk);
        } catch (error) {
          fail(error instanceof AvroTransportError ? error : new AvroTransportError(`bad HTTP response from ${where}: ${(error as Error).message}`));
          return;
        }
        // Bytes after the response: nothing asked for them, so the connection is not used again.
        if (parser.done) complete(parser.reusable && extra === 0);
      }
      function onEnd(): void {
        if (settled) return;
        if (parser.endsWithConnection) complete(false);
        else fail(cutOff());
      }
      function onClose(): void {
        fail(cutOff());
      }
      function onError(error: Error): void {
        fail(new AvroTransportError(`HTTP request to ${where} failed: ${error.message}`));
      }
      function cutOff(): AvroTransportError {
        if (status === 0) return new AvroTransportError(`HTTP request to ${where} failed: the server closed the connection without answering`);
        if (status !== 200) return new AvroTransportError(`HTTP ${status} from ${where} (body cut off after ${received} bytes)`);
        return new AvroTransportError(`server closed mid-answer after ${received}${declared === undefined ? '' : ` of ${declared}`} bytes of the HTTP body`);
      }
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onClose);
      socket.on('error', onError);
      pool.write(socket, requestHead(url, length), body, options.recorder);
    }),
    close: async () => pool.close(),
  };
}

/** The request line and headers, as node's http.request sent them for us before (same order). */
function requestHead(url: URL, length: number): Buffer {
  return Buffer.from(`POST ${url.pathname || '/'}${url.search} HTTP/1.1\r\nContent-Type: avro/binary\r\nContent-Length: ${length}\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
}
