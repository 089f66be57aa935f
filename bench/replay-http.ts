// The replay client over HTTP: a plain socket posting a body made in advance and reading the
// answer's body, with no HTTP library, as our HTTP clients do (they speak HTTP/1.1 over their own
// kept-alive sockets, not through node's http.request, impls/avro/http/transport.ts and
// impls/thrift/transport/http-connection.ts). So against the same peer server it is the least any
// Node HTTP client can do: one write per request, the answer's body found by its Content-Length,
// its chunks or the connection's end, as the server chose, and checked by the caller.
//
// It owes nothing to what it judges: the response reader here is its own (not
// impls/wire/http-response-parser.ts). A server that ends each connection after its answer (HTTP/1.0,
// or `Connection: close`) gets a new connection for the next call, as it would from any client.
import { connect, type Socket } from 'node:net';

/** The most an answer's status line and headers may take. */
const MAX_HEAD_BYTES = 16 * 1024;
/** The most an answer's body may take (the bench's largest echo is 1 MiB and its framing). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpReplayExchange {
  readonly path: string;
  readonly contentType: string;
  /** The request's body, made in advance. */
  readonly body: Buffer;
}

/** How the body of one answer ends. */
type BodyEnd = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/**
 * Reads one HTTP/1.x answer at a time from a byte stream: its status must be 200; returns the body
 * once whole. Bounded: a head beyond MAX_HEAD_BYTES or a body beyond MAX_BODY_BYTES is an error.
 */
export class ResponseReader {
  private pending: Buffer = Buffer.alloc(0);
  private head = true;
  private end: BodyEnd = { kind: 'close' };
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** Chunked: bytes of the current chunk still to come (undefined: a size line is next). */
  private chunkLeft: number | undefined;
  private trailers = false;
  /** Whether the connection stays open after this answer. */
  keepAlive = true;

  /** Adds bytes; returns the body when this answer is complete (bytes after it stay for the next). */
  push(chunk: Buffer): Buffer | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.head && !this.readHead()) return undefined;
    return this.readBody();
  }

  /** The connection ended: the body of an answer delimited by the close, or an error. */
  closed(): Buffer {
    if (!this.head && this.end.kind === 'close') return this.take(this.pending.length);
    throw new Error(this.head && this.pending.length === 0 ? 'the connection closed before an answer' : 'the connection closed in the middle of an answer');
  }

  private readHead(): boolean {
    const at = this.pending.indexOf('\r\n\r\n');
    if (at < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) throw new Error(`an answer's head beyond ${MAX_HEAD_BYTES} bytes`);
      return false;
    }
    const lines = this.pending.subarray(0, at).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(at + 4);
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!status) throw new Error(`not an HTTP/1.x answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    if (status[2] !== '200') throw new Error(`the server answered ${lines[0]}`);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim().toLowerCase());
    }
    const connection = headers.get('connection') ?? '';
    this.keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const length = headers.get('content-length');
    if ((headers.get('transfer-encoding') ?? '').includes('chunked')) this.end = { kind: 'chunked' };
    else if (length !== undefined) this.end = { kind: 'length', left: this.declared(length) };
    else {
      this.end = { kind: 'close' };
      this.keepAlive = false;
    }
    this.head = false;
    return true;
  }

  private declared(length: string): number {
    const n = Number(length);
    if (!/^\d+$/.test(length) || n > MAX_BODY_BYTES) throw new Error(`a Content-Length of ${length} (at most ${MAX_BODY_BYTES})`);
    return n;
  }

  private readBody(): Buffer | undefined {
    const end = this.end;
    if (end.kind === 'close') {
      if (this.pending.length > MAX_BODY_BYTES) throw new Error(`a body beyond ${MAX_BODY_BYTES} bytes`);
      return undefined;
    }
    if (end.kind === 'length') return this.pending.length >= end.left ? this.finish(this.take(end.left)) : undefined;
    for (;;) {
      if (this.chunkLeft === undefined) {
        const line = this.line();
        if (line === undefined) return undefined;
        if (this.trailers) {
          if (line === '') return this.finish(this.take(0));
          continue;
        }
        const size = /^([0-9a-fA-F]+)/.exec(line);
        if (!size) throw new Error(`a chunk size line ${JSON.stringify(line.slice(0, 40))}`);
        const n = Number.parseInt(size[1] as string, 16);
        if (n === 0) {
          this.trailers = true;
          continue;
        }
        if (this.bodyBytes + n > MAX_BODY_BYTES) throw new Error(`a body beyond ${MAX_BODY_BYTES} bytes`);
        this.chunkLeft = n;
      }
      // The chunk's bytes and the CRLF after them.
      if (this.pending.length < this.chunkLeft + 2) return undefined;
      this.keep(this.pending.subarray(0, this.chunkLeft));
      if (this.pending[this.chunkLeft] !== 0x0d || this.pending[this.chunkLeft + 1] !== 0x0a) throw new Error('a chunk not followed by CRLF');
      this.pending = this.pending.subarray(this.chunkLeft + 2);
      this.chunkLeft = undefined;
    }
  }

  private line(): string | undefined {
    const at = this.pending.indexOf('\r\n');
    if (at < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) throw new Error(`a chunk line beyond ${MAX_HEAD_BYTES} bytes`);
      return undefined;
    }
    const line = this.pending.subarray(0, at).toString('latin1');
    this.pending = this.pending.subarray(at + 2);
    return line;
  }

  private keep(bytes: Buffer): void {
    this.body.push(bytes);
    this.bodyBytes += bytes.length;
  }

  /** Moves n bytes of what is pending into the body and returns the whole body. */
  private take(n: number): Buffer {
    this.keep(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
    return this.body.length === 1 ? (this.body[0] as Buffer) : Buffer.concat(this.body);
  }

  /** The answer is complete: ready for the next one. */
  private finish(body: Buffer): Buffer {
    this.head = true;
    this.body = [];
    this.bodyBytes = 0;
    this.trailers = false;
    return body;
  }
}

/**
 * One HTTP connection at a time: call() posts the body made in advance and resolves with the
 * answer's body. Opens a new connection when the server ended the previous one.
 */
export class HttpReplayClient {
  private socket: Socket | undefined;
  private reader = new ResponseReader();
  private waiting: { resolve: (body: Buffer) => void; reject: (error: Error) => void } | undefined;
  private readonly request: Buffer;
  private readonly host: string;
  private readonly port: number;

  private constructor(host: string, port: number, exchange: HttpReplayExchange) {
    this.host = host;
    this.port = port;
    const head = `POST ${exchange.path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: ${exchange.contentType}\r\nContent-Length: ${exchange.body.length}\r\n\r\n`;
    this.request = Buffer.concat([Buffer.from(head, 'latin1'), exchange.body]);
  }

  static async open(host: string, port: number, exchange: HttpReplayExchange): Promise<HttpReplayClient> {
    const client = new HttpReplayClient(host, port, exchange);
    await client.connected();
    return client;
  }

  /** Posts the request; resolves with the answer's body. */
  async call(): Promise<Buffer> {
    if (this.waiting) throw new Error('one call at a time per connection');
    const socket = await this.connected();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(this.request);
    });
  }

  private connected(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true }, () => {
        socket.off('error', reject);
        this.attach(socket);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    this.reader = new ResponseReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        const body = this.reader.push(chunk);
        if (body !== undefined) this.answered(body, socket);
      } catch (error) {
        socket.destroy();
        this.fail(error as Error);
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      if (!this.waiting) return;
      try {
        this.answered(this.reader.closed(), socket);
      } catch (error) {
        this.fail(error as Error);
      }
    });
  }

  private answered(body: Buffer, socket: Socket): void {
    if (!this.reader.keepAlive) socket.destroy();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) throw new Error('an answer nobody waited for');
    waiting.resolve(body);
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.destroy();
  }
}
