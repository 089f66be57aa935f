// The HTTP client transport: one POST per call (Content-Length set: Python's http.server does not
// de-chunk), the answer is the response body. Over TCP and Unix sockets the POSTs go through our
// own connection (http-connection.ts); this file's node:https path is for TLS. The body is limited (the declared length first,
// then every byte as it comes) and a call that fails or times out destroys its request, so an
// endless answer is never read on after the call has failed.
// node:http and node:https are taken when first used (process.getBuiltinModule), not imported: a
// process that loads them has 2.3 MB more heap for every major garbage collection to mark, and a
// client echoing 64 KiB values over TCP, which never speaks HTTP, spent most of its time in those
// collections (impls/thrift/profile/README.md, "Eighth pass").
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import { ClientTimeout, SizeError, TransportError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { WireRecorder } from '../../wire/recorder.ts';
import { clientTlsOptions, describeAddress, type SocketAddress } from './sockets.ts';
import { HttpConnection } from './http-connection.ts';

export interface HttpTarget extends SocketAddress {
  readonly httpPath?: string;
}

export class HttpExchange {
  private readonly target: HttpTarget;
  private readonly limits: Limits;
  private readonly recorder: WireRecorder | undefined;
  private readonly agent: HttpAgent;
  private readonly tls: boolean;
  private readonly requests = new Set<ClientRequest>();
  /** TCP and Unix sockets: our own connection (http-connection.ts); TLS goes through node:https. */
  private readonly plain: HttpConnection | undefined;

  constructor(target: HttpTarget, limits: Limits, recorder: WireRecorder | undefined) {
    this.target = target;
    this.limits = limits;
    this.recorder = recorder;
    this.tls = target.socket === 'tls';
    this.agent = this.tls
      ? new (process.getBuiltinModule('node:https').Agent)({ keepAlive: true, maxSockets: 1, ...clientTlsOptions(target) })
      : new (process.getBuiltinModule('node:http').Agent)({ keepAlive: true, maxSockets: 1 });
    const host = target.socket === 'unix' ? 'localhost' : `${target.host ?? '127.0.0.1'}:${target.port ?? 80}`;
    this.plain = this.tls ? undefined : new HttpConnection(target, limits, recorder, this.url(), target.httpPath ?? '/thrift', host);
  }

  private url(): string {
    return `${this.tls ? 'https' : 'http'}://${describeAddress(this.target).replace(/^tls:\/\//, '')}${this.target.httpPath ?? '/thrift'}`;
  }

  /** POSTs one message; resolves with the response body of a 200 answer. */
  post(segments: readonly Buffer[], length: number, timeoutMs: number, what: string): Promise<Buffer> {
    if (this.plain) return this.plain.post(segments, length, timeoutMs, what);
    return new Promise((resolve, reject) => {
      let settled = false;
      const options = {
        method: 'POST',
        path: this.target.httpPath ?? '/thrift',
        agent: this.agent,
        headers: { 'content-type': 'application/x-thrift', accept: 'application/x-thrift', 'content-length': length },
        ...(this.target.socket === 'unix' ? { socketPath: this.target.path } : { host: this.target.host ?? '127.0.0.1', port: this.target.port }),
      };
      const request = process.getBuiltinModule(this.tls ? 'node:https' : 'node:http').request(options);
      this.requests.add(request);
      const finish = (error: Error | undefined, body?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.requests.delete(request);
        if (error) {
          // Stop reading whatever else the server sends for this call.
          request.destroy();
          reject(error);
        } else {
          resolve(body ?? Buffer.alloc(0));
        }
      };
      const timer = setTimeout(() => finish(new ClientTimeout(`no answer to ${what} from ${this.url()} within ${timeoutMs} ms`)), timeoutMs);
      request.on('error', (error) => finish(new TransportError(`HTTP request to ${this.url()} failed: ${error.message}`)));
      request.on('response', (response: IncomingMessage) => this.read(response, what, finish));
      for (const segment of segments) {
        this.recorder?.sent(segment);
        request.write(segment);
      }
      request.end();
    });
  }

  private read(response: IncomingMessage, what: string, finish: (error: Error | undefined, body?: Buffer) => void): void {
    const max = this.limits.maxMessageSize;
    const status = response.statusCode ?? 0;
    const declared = response.headers['content-length'];
    if (declared !== undefined && Number(declared) > max) {
      finish(new SizeError(`the HTTP answer to ${what} declares ${declared} bytes, over the limit of ${max}`));
      response.destroy();
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        finish(new SizeError(`the HTTP answer to ${what} is longer than the limit of ${max} bytes`));
        response.destroy();
        return;
      }
      this.recorder?.received(chunk);
      parts.push(chunk);
    });
    response.on('error', (error) => finish(new TransportError(`the HTTP answer to ${what} broke: ${error.message}`)));
    response.on('aborted', () => finish(new TransportError(`the HTTP answer to ${what} was cut short`)));
    response.on('end', () => {
      const body = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, size);
      if (status !== 200) {
        finish(new TransportError(`HTTP ${status} ${response.statusMessage ?? ''} from ${this.url()} for ${what}: ${body.toString('utf8', 0, Math.min(body.length, 300)).trim()}`));
        return;
      }
      finish(undefined, body);
    });
  }

  close(): void {
    this.plain?.close();
    for (const request of this.requests) request.destroy();
    this.requests.clear();
    this.agent.destroy();
  }
}
