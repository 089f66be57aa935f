// The HTTP client transport over a plain socket (TCP or Unix): one kept-alive HTTP/1.1 connection,
// one POST at a time (the client queues its calls), the answer read by our own bounded response
// parser. node's http.request cost more CPU per call than the rest of a small call together, and
// its reads allocate 64 KiB each; this connection reads into one reused buffer (ReusedReads) and
// copies a body once, into a buffer that grows to the body's size. TLS stays on node:https
// (http-client.ts).
import type { Socket } from 'node:net';
import { HttpParseError, ResponseParser } from '../../wire/http-response-parser.ts';
import { ClientTimeout, SizeError, TransportError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { WireRecorder } from '../../wire/recorder.ts';
import { coalesce } from '../../wire/coalesce.ts';
import { connectSocket, ReusedReads, type SocketAddress } from './sockets.ts';

/**
 * A body of unknown length (chunked, or until close) starts in a buffer of the previous answer's
 * size on this connection, or this big for the first one.
 */
const FIRST_BODY_BYTES = 16 * 1024;
/**
 * The first buffer of a body is at most this big, or as big as the largest body this connection
 * has really received: a declared length alone, without the bytes, never allocates more. (The
 * bound was this size alone: a 1 MiB echo's answer, 30 bytes over it, then started in 1 MiB and
 * was copied into 2 MiB on every call, against Jetty 3 MiB allocated and 1 MiB copied twice.)
 */
const LARGEST_FIRST_BODY_BYTES = 1024 * 1024;
/** A body that filled less than this share of its buffer is copied into one of its own size. */
const LEAST_USED_SHARE = 0.5;
/** Of an error answer's body, this much is kept for the error message. */
const ERROR_TEXT_BYTES = 300;

/** Body bytes copied out of borrowed chunks into one buffer, grown by doubling up to the limit. */
class BodyBytes {
  private buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  add(bytes: Buffer): void {
    const needed = this.length + bytes.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += bytes.copy(this.buffer, this.length);
  }

  /**
   * The body. A buffer mostly empty (sized from a larger previous answer) is not handed on: a view
   * of it would keep the whole buffer alive as long as any decoded value refers to it.
   */
  get bytes(): Buffer {
    if (this.length < this.buffer.length * LEAST_USED_SHARE) return Buffer.from(this.buffer.subarray(0, this.length));
    return this.buffer.subarray(0, this.length);
  }
}

interface Exchange {
  readonly parser: ResponseParser;
  settle(error: Error | undefined, body?: Buffer, reusable?: boolean): void;
  /** The connection ended or broke before the answer was complete. */
  cutOff(error: Error | undefined): void;
}

export class HttpConnection {
  private readonly target: SocketAddress;
  private readonly limits: Limits;
  private readonly recorder: WireRecorder | undefined;
  private readonly url: string;
  /** The request head up to the Content-Length value, and what follows the value. */
  private readonly headStart: string;
  private readonly headEnd: string;
  private socket: Socket | undefined;
  private exchange: Exchange | undefined;
  private closed = false;
  /**
   * The body size of the last chunked (or until-close) answer. Jetty answers chunked, 32 KiB a
   * chunk: from 16 KiB, a 64 KiB answer was copied into buffers of 16, 32 and 64 KiB, and the
   * throwaway 48 KiB per call drove the client's collector (GC 48% of its busy time against
   * Java's HTTP server, impls/thrift/profile/README.md). Answers of one service tend to repeat
   * their size, so the next body starts there; a smaller answer is copied out (bytes).
   */
  private lastUndeclaredBody = FIRST_BODY_BYTES;
  /** The largest body received whole on this connection. */
  private largestBody = 0;

  constructor(target: SocketAddress, limits: Limits, recorder: WireRecorder | undefined, url: string, path: string, host: string) {
    this.target = target;
    this.limits = limits;
    this.recorder = recorder;
    this.url = url;
    // The headers node's http.request sent for us, in its order.
    this.headStart = `POST ${path} HTTP/1.1\r\ncontent-type: application/x-thrift\r\naccept: application/x-thrift\r\ncontent-length: `;
    this.headEnd = `\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`;
  }

  /** POSTs one message; resolves with the body of a 200 answer. */
  post(segments: readonly Buffer[], length: number, timeoutMs: number, what: string): Promise<Buffer> {
    if (this.closed) return Promise.reject(new TransportError(`the HTTP connection to ${this.url} is closed`));
    return new Promise((resolve, reject) => {
      const max = this.limits.maxMessageSize;
      let status = 0;
      let received = 0;
      let body: BodyBytes | undefined;
      let undeclared = false;
      const errorText: Buffer[] = [];
      let settled = false;
      const settle = (error: Error | undefined, answer?: Buffer, reusable = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.exchange === exchange) this.exchange = undefined;
        const socket = this.socket;
        if (error || !reusable) {
          // Nothing more is read of this connection (an endless or unwanted answer included).
          this.drop();
        } else {
          socket?.unref();
        }
        if (error) reject(error);
        else resolve(answer ?? Buffer.alloc(0));
      };
      const parser = new ResponseParser({
        head: (head) => {
          status = head.status;
          if (status !== 200) return;
          if (head.contentLength !== undefined && head.contentLength > max) {
            throw new SizeError(`the HTTP answer to ${what} declares ${head.contentLength} bytes, over the limit of ${max}`);
          }
          undeclared = head.contentLength === undefined;
          body = new BodyBytes(Math.min(head.contentLength ?? this.lastUndeclaredBody, Math.max(LARGEST_FIRST_BODY_BYTES, this.largestBody)));
        },
        body: (bytes) => {
          received += bytes.length;
          if (received > max) throw new SizeError(`the HTTP answer to ${what} is longer than the limit of ${max} bytes`);
          // The chunk is borrowed (ReusedReads): the recorder keeps a copy.
          this.recorder?.received(Buffer.from(bytes));
          if (body) body.add(bytes);
          else if (received - bytes.length < ERROR_TEXT_BYTES) errorText.push(Buffer.from(bytes));
        },
      });
      const complete = (reusable: boolean): void => {
        if (status !== 200) {
          const text = Buffer.concat(errorText).toString('utf8', 0, ERROR_TEXT_BYTES).trim();
          settle(new TransportError(`HTTP ${status} from ${this.url} for ${what}: ${text}`));
          return;
        }
        if (body && undeclared) this.lastUndeclaredBody = body.length;
        if (body && body.length > this.largestBody) this.largestBody = body.length;
        settle(undefined, body?.bytes, reusable);
      };
      const exchange: Exchange = {
        parser,
        settle: (error, answer, reusable) => {
          if (error) settle(error);
          else if (answer === undefined) complete(reusable ?? false);
        },
        cutOff: (error) => {
          if (parser.endsWithConnection && error === undefined) {
            complete(false);
            return;
          }
          if (error) settle(new TransportError(`HTTP request to ${this.url} failed: ${error.message}`));
          else if (status === 0) settle(new TransportError(`HTTP request to ${this.url} failed: the server closed the connection without answering`));
          else settle(new TransportError(`the HTTP answer to ${what} was cut short`));
        },
      };
      const timer = setTimeout(() => settle(new ClientTimeout(`no answer to ${what} from ${this.url} within ${timeoutMs} ms`)), timeoutMs);
      this.exchange = exchange;
      const send = (socket: Socket): void => {
        if (settled) return;
        socket.ref();
        for (const segment of segments) this.recorder?.sent(segment);
        const head = Buffer.from(`${this.headStart}${length}${this.headEnd}`, 'latin1');
        socket.cork();
        for (const buffer of coalesce([head, ...segments])) socket.write(buffer);
        socket.uncork();
      };
      if (this.socket) {
        send(this.socket);
        return;
      }
      this.open(timeoutMs).then(send, (error: unknown) => settle(error instanceof Error ? error : new TransportError(String(error))));
    });
  }

  private async open(timeoutMs: number): Promise<Socket> {
    const reads = new ReusedReads();
    const socket = await connectSocket(this.target, timeoutMs, reads);
    if (this.closed) {
      socket.destroy();
      throw new TransportError(`the HTTP connection to ${this.url} is closed`);
    }
    this.socket = socket;
    // An idle kept-alive connection does not keep the process alive (referenced while a request is out).
    socket.unref();
    let failure: Error | undefined;
    reads.deliverTo((chunk) => {
      const exchange = this.exchange;
      if (this.socket !== socket) return;
      // Bytes nobody asked for: the connection is not used again.
      if (!exchange) {
        this.drop();
        return;
      }
      let extra: number;
      try {
        extra = exchange.parser.push(chunk);
      } catch (error) {
        exchange.settle(error instanceof SizeError ? error : new TransportError(`bad HTTP answer from ${this.url}: ${error instanceof HttpParseError || error instanceof Error ? error.message : String(error)}`));
        return;
      }
      if (exchange.parser.done) exchange.settle(undefined, undefined, exchange.parser.reusable && extra === 0);
    });
    socket.on('error', (error) => {
      failure ??= error;
    });
    const ended = (): void => {
      socket.destroy();
      // A connection dropped on purpose (this.socket moved on) has nothing more to say.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.exchange?.cutOff(failure);
    };
    socket.on('end', ended);
    socket.on('close', ended);
    return socket;
  }

  /** Forgets and closes the current socket. */
  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  close(): void {
    this.closed = true;
    this.exchange?.settle(new TransportError(`the HTTP connection to ${this.url} is closed`));
    this.drop();
  }
}
