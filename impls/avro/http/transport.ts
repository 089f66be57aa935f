// Avro over HTTP, client side: one POST per call, body = standard framing, always with a
// Content-Length (a chunked body hangs Python's http.server based responders: field note 1).
import { request as httpRequest } from 'node:http';
import { AvroTransportError } from '../errors.ts';
import { decodeStandardBody, encodeStandard } from '../framing/standard.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { ClientTransport } from '../transport.ts';
import type { WireRecorder } from '../../wire/recorder.ts';

export interface HttpClientOptions {
  readonly limits?: Limits;
  readonly timeoutMs?: number;
  readonly recorder?: WireRecorder;
}

export function httpClientTransport(url: URL, options: HttpClientOptions = {}): ClientTransport {
  const limits = options.limits ?? DEFAULT_LIMITS;
  return {
    stateful: false,
    exchange: (payload) => new Promise<Buffer>((resolve, reject) => {
      const body = encodeStandard(payload);
      options.recorder?.sent(body);
      const req = httpRequest(url, {
        method: 'POST',
        headers: { 'Content-Type': 'avro/binary', 'Content-Length': body.length },
        timeout: options.timeoutMs ?? 30_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxMessageBytes + 1024) {
            req.destroy(new AvroTransportError(`HTTP response exceeds ${limits.maxMessageBytes} bytes`));
            return;
          }
          chunks.push(chunk);
          options.recorder?.received(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          if (res.statusCode !== 200) {
            reject(new AvroTransportError(`HTTP ${res.statusCode} from ${url.href}: ${data.toString('utf8', 0, 300)}`));
            return;
          }
          try {
            resolve(decodeStandardBody(data, limits));
          } catch (error) {
            reject(new AvroTransportError(`bad HTTP response body (${data.length} bytes): ${(error as Error).message}`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new AvroTransportError(`no HTTP response within ${options.timeoutMs ?? 30_000} ms`)));
      req.on('error', (error) => reject(error instanceof AvroTransportError ? error : new AvroTransportError(`HTTP request to ${url.href} failed: ${error.message}`)));
      req.end(body);
    }),
    close: async () => undefined,
  };
}
