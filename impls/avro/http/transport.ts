// Avro over HTTP, client side: one POST per call, body = standard framing, always with a
// Content-Length (a chunked body hangs Python's http.server based responders: field note 1).
//
// Every exchange has a deadline (timeoutMs): when it passes, the request is aborted and its
// socket destroyed, so a server that trickles an answer cannot keep the socket after the call
// failed. The answer is decoded as it arrives and may not exceed limits.maxMessageBytes (plus
// framing); an answer the server declares larger fails before its body is read.
import { request as httpRequest } from 'node:http';
import { AvroTransportError } from '../errors.ts';
import { encodeStandardParts, StandardBodyDecoder } from '../framing/standard.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { ClientTransport } from '../transport.ts';
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
  return {
    stateful: false,
    exchange: (payload) => new Promise<Buffer>((resolve, reject) => {
      const body = encodeStandardParts(Array.isArray(payload) ? payload : [payload as Buffer]);
      const length = body.reduce((sum, part) => sum + part.length, 0);
      let settled = false;
      const req = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'avro/binary', 'Content-Length': length } });
      const deadline = setTimeout(() => fail(new AvroTransportError(`no HTTP response within ${ms} ms`)), ms);
      function fail(error: AvroTransportError): void {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        req.destroy(); // the socket goes with it: nothing more is read or kept
        reject(error);
      }
      function succeed(message: Buffer): void {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(message);
      }
      req.on('response', (res) => {
        const declared = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
        let received = 0;
        const chunks: Buffer[] = [];
        if (res.statusCode !== 200) {
          res.on('data', (chunk: Buffer) => {
            options.recorder?.received(chunk);
            if (received < 1024) chunks.push(chunk);
            received += chunk.length;
          });
          res.on('end', () => fail(new AvroTransportError(`HTTP ${res.statusCode} from ${url.href}: ${Buffer.concat(chunks).toString('utf8', 0, 300)}`)));
          res.on('close', () => fail(new AvroTransportError(`HTTP ${res.statusCode} from ${url.href} (body cut off after ${received} bytes)`)));
          return;
        }
        if (declared !== undefined && declared > limit) {
          fail(new AvroTransportError(`HTTP response declares ${declared} bytes, more than the limit of ${limit} (maxMessageBytes ${limits.maxMessageBytes} plus framing)`));
          return;
        }
        const decoder = new StandardBodyDecoder(limits);
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          options.recorder?.received(chunk);
          received += chunk.length;
          if (received > limit) {
            fail(new AvroTransportError(`HTTP response exceeds ${limit} bytes (maxMessageBytes ${limits.maxMessageBytes} plus framing)`));
            return;
          }
          try {
            decoder.push(chunk);
          } catch (error) {
            fail(new AvroTransportError(`bad HTTP response body after ${received} bytes: ${(error as Error).message}`));
          }
        });
        res.on('end', () => {
          try {
            succeed(decoder.finish(received));
          } catch (error) {
            fail(new AvroTransportError(`bad HTTP response body (${received} bytes): ${(error as Error).message}`));
          }
        });
        res.on('error', () => undefined); // 'close' says what happened
        res.on('close', () => {
          if (!res.complete) fail(new AvroTransportError(`server closed mid-answer after ${received}${declared === undefined ? '' : ` of ${declared}`} bytes of the HTTP body`));
        });
      });
      req.on('error', (error) => fail(error instanceof AvroTransportError ? error : new AvroTransportError(`HTTP request to ${url.href} failed: ${error.message}`)));
      req.cork();
      for (const part of body) {
        options.recorder?.sent(part);
        req.write(part);
      }
      req.end();
    }),
    close: async () => undefined,
  };
}
