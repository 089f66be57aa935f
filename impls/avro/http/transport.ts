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
// failed. The answer is decoded as it arrives, its frames' contents copied once out of the
// connection's reused read buffer into the message (body.ts), and may not exceed
// limits.maxMessageBytes (plus framing); an answer the server declares larger fails before its
// body is read.
import { AvroTransportError } from '../errors.ts';
import { encodeStandardParts } from '../framing/standard.ts';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../limits.ts';
import type { ClientTransport } from '../transport.ts';
import { BodySizes, FramedBodyReader } from './body.ts';
import { HTTP_FRAME_BYTES } from './frames.ts';
import { ConnectionPool } from './connections.ts';
import { ResponseParser } from '../../wire/http-response-parser.ts';
import type { WireRecorder } from '../../wire/recorder.ts';
import { Waiting } from '../../wire/waiting.ts';

export interface HttpClientOptions {
  readonly limits?: Limits;
  readonly timeoutMs?: number;
  readonly recorder?: WireRecorder;
}

/** Framing overhead allowed on top of maxMessageBytes: 4 bytes per frame and a few terminators. */
export function maxBodyBytes(limits: Limits): number {
  return limits.maxMessageBytes + Math.ceil(limits.maxMessageBytes / 1024) + 4 * (limits.maxTrailingEmptyFrames + 2);
}

/** Of an error answer's body, this much is kept for the error message. */
const ERROR_TEXT_BYTES = 1024;
/** Request heads kept, one per body length. */
const KEPT_HEADS = 64;

/** An exchange's deadline (performance.now() time) and what happens when it passes. */
interface Deadline {
  /** Its place among the exchanges under way. */
  readonly key: number;
  readonly at: number;
  readonly expire: () => void;
}

export function httpClientTransport(url: URL, options: HttpClientOptions = {}): ClientTransport {
  const limits = resolveLimits(options.limits ?? DEFAULT_LIMITS);
  const ms = options.timeoutMs ?? 30_000;
  const limit = maxBodyBytes(limits);
  const pool = new ConnectionPool(url);
  const where = url.href;
  const recorder = options.recorder;
  /** An answer's declared length is believed up to 1 MiB: it comes from the server the caller chose. */
  const bodySizes = new BodySizes(1024 * 1024, { trustReceived: true });
  // One timer watches every exchange's deadline instead of a Timeout armed and cleared per call
  // (timer list insert and unenroll, ~2% of the client's busy time per 64 KiB call). All share
  // timeoutMs, so the exchanges, oldest first, are in deadline order. Unreferenced: a socket in
  // use keeps the process alive, an armed watchdog after the last call does not. Not a Set: a
  // long-lived Set allocates in V8's old generation as exchanges come and go (wire/waiting.ts).
  const underWay = new Waiting<Deadline>();
  let nextKey = 0;
  let watchdog: NodeJS.Timeout | undefined;
  const watch = (): void => {
    watchdog = undefined;
    const now = performance.now();
    for (let oldest = underWay.oldest(); oldest; oldest = underWay.oldest()) {
      if (oldest.value.at > now) {
        arm(oldest.value.at - now);
        return;
      }
      underWay.take(oldest.key);
      oldest.value.expire();
    }
  };
  const arm = (after: number): void => {
    watchdog = setTimeout(watch, Math.ceil(after));
    watchdog.unref();
  };
  // The request head differs only by the body's length: each is made once (calls of one service
  // tend to repeat their sizes; bounded, so that a client of ever-new sizes keeps few).
  const heads = new Map<number, Buffer>();
  const head = (length: number): Buffer => {
    let bytes = heads.get(length);
    if (!bytes) {
      if (heads.size >= KEPT_HEADS) heads.clear();
      bytes = requestHead(url, length);
      heads.set(length, bytes);
    }
    return bytes;
  };
  return {
    stateful: false,
    timeoutMs: ms,
    exchange: (payload) => new Promise<Buffer>((resolve, reject) => {
      const body = encodeStandardParts(Array.isArray(payload) ? payload : [payload as Buffer], HTTP_FRAME_BYTES);
      let length = 0;
      for (const part of body) length += part.length;
      let settled = false;
      let received = 0;
      let status = 0;
      let declared: number | undefined;
      let errorBody: Buffer[] | undefined;
      let reader: FramedBodyReader | undefined;
      const connection = pool.take();
      const socket = connection.socket;
      const deadline: Deadline = { key: nextKey, at: performance.now() + ms, expire: () => fail(new AvroTransportError(`no HTTP response within ${ms} ms`)) };
      nextKey = (nextKey + 1) & 0x7fffffff;
      underWay.add(deadline.key, deadline);
      if (!watchdog) arm(ms);
      function finish(): void {
        settled = true;
        underWay.take(deadline.key);
        connection.reader = undefined;
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
        if (reusable) pool.give(connection);
        else socket.destroy();
        resolve(message);
      }
      const parser = new ResponseParser({
        head: (head) => {
          status = head.status;
          declared = head.contentLength;
          if (status !== 200) {
            errorBody = [];
            return;
          }
          if (declared !== undefined && declared > limit) {
            throw new AvroTransportError(`HTTP response declares ${declared} bytes, more than the limit of ${limit} (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
          }
          reader = new FramedBodyReader(limits, bodySizes.capacity(declared));
        },
        body: (bytes) => {
          // The bytes are borrowed (the pool's read buffer): whatever is kept is copied.
          recorder?.received(Buffer.from(bytes));
          received += bytes.length;
          if (!reader) {
            if (errorBody && received - bytes.length < ERROR_TEXT_BYTES) errorBody.push(Buffer.from(bytes));
            return;
          }
          if (received > limit) throw new AvroTransportError(`HTTP response exceeds ${limit} bytes (maxMessageBytes ${limits.maxMessageBytes} plus framing)`);
          try {
            reader.push(bytes);
          } catch (error) {
            throw new AvroTransportError(`bad HTTP response body after ${received} bytes: ${(error as Error).message}`);
          }
        },
      });
      const complete = (reusable: boolean): void => {
        if (!reader) {
          fail(new AvroTransportError(`HTTP ${status} from ${where}: ${Buffer.concat(errorBody ?? []).toString('utf8', 0, 300)}`));
          return;
        }
        let message: Buffer;
        try {
          message = reader.finish(received);
        } catch (error) {
          fail(new AvroTransportError(`bad HTTP response body (${received} bytes): ${(error as Error).message}`));
          return;
        }
        bodySizes.received(received, declared);
        succeed(message, reusable);
      };
      // Made first and then stored, not written as `connection.reader = (chunk) => ...`: V8's parser
      // takes a function literal assigned straight to a property for a method being installed and
      // allocates its closure in the old generation (56 bytes per call here, where the connection
      // is long-lived), which brings full collections on (impls/old-generation.test.ts).
      const readAnswer = (chunk: Buffer): void => {
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
      };
      connection.reader = readAnswer;
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
      socket.on('end', onEnd);
      socket.on('close', onClose);
      socket.on('error', onError);
      pool.write(connection, head(length), body, recorder);
    }),
    close: async () => pool.close(),
  };
}

/** The request line and headers, as node's http.request sent them for us before (same order). */
function requestHead(url: URL, length: number): Buffer {
  return Buffer.from(`POST ${url.pathname || '/'}${url.search} HTTP/1.1\r\nContent-Type: avro/binary\r\nContent-Length: ${length}\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
}
