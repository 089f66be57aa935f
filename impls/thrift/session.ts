// One server connection on a socket transport: reassembles requests, processes them one at a time
// in order, writes the answers, and protects the server from the peer: a framing or limit error
// closes the connection with a logged reason, a message must be complete within readTimeoutMs of
// its first byte, a silent connection is closed after idleTimeoutMs, and the socket is not read
// while answers wait for the peer to read them or too many requests are queued (backpressure).
import { describe, ProtocolError } from './errors.ts';
import { writeApplicationException } from './codec/messages.ts';
import { HeaderFrameError } from './framing/theader.ts';
import type { Limits } from './limits.ts';
import type { Processed, Processor } from './processor.ts';
import { newWriter, type ProtocolName } from './protocol/index.ts';
import type { OutputBuffer } from './protocol/output.ts';
import type { Framing, Unwrapped } from './transport/framing.ts';
import type { Link } from './transport/link.ts';
import { Fifo } from '../wire/fifo.ts';

export interface SessionOptions {
  readonly limits: Limits;
  /** The protocol answers are written in (unframed/framed; THeader answers in the request's). */
  readonly writeProtocol: ProtocolName;
  /** THeader: the protocol answers are written in is the request's (mixed pairs do not apply). */
  readonly answerInRequestProtocol: boolean;
  readonly onReject: (reason: string) => void;
}

export class Session {
  private readonly link: Link;
  private readonly framing: Framing;
  private readonly processor: Processor;
  private readonly options: SessionOptions;
  private readonly queue = new Fifo<Buffer>();
  private busy = false;
  private peerEnded = false;
  private closed = false;
  // One Timeout for the read limit, made once and moved on with refresh(); a disarmed timer that
  // still fires does nothing. (It was a new Timeout and closure per message.)
  private readTimer: NodeJS.Timeout | undefined;
  private readArmed = false;
  // The idle limit: one Timeout that is not moved per call (refresh() re-inserts it into node's
  // timer list, on every answer); the connection records when it became idle, and the timer, when
  // it fires, closes the connection or waits for the rest of the limit.
  private idleTimer: NodeJS.Timeout | undefined;
  private idleArmed = false;
  private idleSince = 0;
  private paused = false;
  private readonly onClosed: () => void;
  private released = false;

  constructor(link: Link, framing: Framing, processor: Processor, options: SessionOptions, onClosed: () => void) {
    this.link = link;
    this.framing = framing;
    this.processor = processor;
    this.options = options;
    this.onClosed = onClosed;
  }

  start(): void {
    this.link.start({
      data: (chunk, borrowed) => this.received(chunk, borrowed),
      end: () => this.peerFinished(),
      closed: (error) => {
        this.closed = true;
        this.clearTimers();
        if (error && !(error as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) this.options.onReject(`connection from ${this.link.peer} broke: ${error.message}`);
        this.release();
      },
      drain: () => this.maybeResume(),
    });
    this.armIdle();
  }

  /** Closes the connection at once (server shutdown). */
  destroy(): void {
    this.link.destroy();
    this.release();
  }

  /** The server stops counting this connection: at once when we close it, since the socket's close
   * event comes a turn later and a client that saw the close may already be connecting again (an
   * idle-flood test's next valid call was refused as over the connection limit, under load). */
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.onClosed();
  }

  private reject(reason: string): void {
    if (this.closed) return;
    this.options.onReject(`closing connection from ${this.link.peer}: ${reason}`);
    this.closed = true;
    this.clearTimers();
    this.link.destroy();
    this.release();
  }

  private clearTimers(): void {
    clearTimeout(this.readTimer);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.readArmed = false;
    this.idleArmed = false;
  }

  /** The read limit starts again now (the first byte of a message arrived). */
  private armRead(): void {
    this.readArmed = true;
    if (this.readTimer) this.readTimer.refresh();
    else this.readTimer = setTimeout(this.readExpired, this.options.limits.readTimeoutMs);
  }

  private readonly readExpired = (): void => {
    if (!this.readArmed) return;
    this.reject(`no complete message within ${this.options.limits.readTimeoutMs} ms (${this.framing.splitter.pending} bytes of one received)`);
  };

  private readonly idleExpired = (): void => {
    this.idleTimer = undefined;
    if (this.closed) return;
    const limit = this.options.limits.idleTimeoutMs;
    if (!this.idleArmed) {
      // Busy now: whenever it becomes idle again, the limit runs out at the earliest a full limit from now.
      this.idleTimer = setTimeout(this.idleExpired, limit);
      return;
    }
    const left = this.idleSince + limit - performance.now();
    if (left > 0) {
      this.idleTimer = setTimeout(this.idleExpired, Math.ceil(left));
      return;
    }
    this.reject(`idle for ${limit} ms`);
  };

  private received(chunk: Buffer, borrowed: boolean): void {
    if (this.closed) return;
    this.idleArmed = false;
    let units: readonly Buffer[];
    try {
      units = this.framing.splitter.push(chunk, borrowed);
    } catch (error) {
      this.reject(describe(error));
      return;
    }
    for (const done of this.framing.splitter.done) this.link.release(done);
    // A message must be complete within readTimeoutMs of its first byte (slow senders included).
    if (this.framing.splitter.pending === 0) this.readArmed = false;
    else if (!this.readArmed || units.length > 0) this.armRead();
    for (const unit of units) this.queue.push(unit);
    if (this.queue.length >= this.options.limits.maxQueuedRequests) this.pause();
    void this.pump();
  }

  private peerFinished(): void {
    this.peerEnded = true;
    const pending = this.framing.splitter.pending;
    if (pending > 0) {
      this.reject(`the peer stopped sending inside a message (${pending} bytes of it received)`);
      return;
    }
    if (!this.busy && this.queue.length === 0) this.link.end();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.link.pause();
  }

  private maybeResume(): void {
    if (!this.paused || this.closed) return;
    if (this.link.needsDrain || this.queue.length >= this.options.limits.maxQueuedRequests) return;
    this.paused = false;
    this.link.resume();
  }

  private armIdle(): void {
    if (this.closed || this.busy || this.queue.length > 0 || this.framing.splitter.pending > 0) return;
    this.idleArmed = true;
    this.idleSince = performance.now();
    this.idleTimer ??= setTimeout(this.idleExpired, this.options.limits.idleTimeoutMs);
  }

  /**
   * Handles the queued requests in order, one at a time. A request whose handling is synchronous
   * (a synchronous handler, framed or unframed transports) is answered within this call; the
   * queue waits behind one that is not until it is done.
   */
  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    while (!this.closed) {
      const unit = this.queue.shift();
      if (unit === undefined) break;
      const later = this.handle(unit);
      if (later !== undefined) {
        later.then(this.handledLater, this.failedLater);
        return;
      }
      this.afterRequest();
    }
    this.busy = false;
    if (this.closed) return;
    if (this.peerEnded) this.link.end();
    else this.armIdle();
  }

  private afterRequest(): void {
    if (this.link.needsDrain) this.pause();
    else this.maybeResume();
  }

  private readonly handledLater = (): void => {
    this.afterRequest();
    this.busy = false;
    this.pump();
  };

  private readonly failedLater = (error: unknown): void => {
    this.reject(`server error: ${describe(error)}`);
    this.busy = false;
  };

  /** Handles one request; a promise only when some step of it is asynchronous (it never rejects). */
  private handle(unit: Buffer): Promise<void> | undefined {
    let unwrapped: Unwrapped | Promise<Unwrapped>;
    try {
      unwrapped = this.framing.unwrap(unit);
    } catch (error) {
      return this.unwrapFailed(error);
    }
    // Only THeader unwraps asynchronously.
    if (unwrapped instanceof Promise) return unwrapped.then((request) => this.serve(request), (error: unknown) => this.unwrapFailed(error));
    return this.serve(unwrapped);
  }

  private unwrapFailed(error: unknown): Promise<void> | undefined {
    if (error instanceof HeaderFrameError) {
      // The frame is intact but its contents cannot be used: answer, as Python's THeader does.
      return this.send(this.errorMessage(error), { protocol: error.protocol, seqid: error.seqid });
    }
    this.reject(describe(error));
    return undefined;
  }

  private serve(request: Unwrapped): Promise<void> | undefined {
    const write = this.options.answerInRequestProtocol ? request.protocol : this.options.writeProtocol;
    let processed: Processed | Promise<Processed>;
    try {
      processed = this.processor.process(request.message, request.protocol, write, this.link.peer, request.header?.headers);
    } catch (error) {
      this.processFailed(error);
      return undefined;
    }
    if (processed instanceof Promise) return processed.then((done) => this.answer(request, write, done), (error: unknown) => this.processFailed(error));
    return this.answer(request, write, processed);
  }

  private processFailed(error: unknown): void {
    if (error instanceof ProtocolError) this.reject(`unreadable request: ${error.message}`);
    else this.reject(`server error: ${describe(error)}`);
  }

  private answer(request: Unwrapped, write: ProtocolName, processed: Processed): Promise<void> | undefined {
    let sent: Promise<void> | undefined;
    if (processed.reply) {
      const info = request.header ? { protocol: write, seqid: processed.seqid, transforms: request.header.transforms } : { protocol: write, seqid: processed.seqid };
      sent = this.send(processed.reply, info);
    }
    if (!processed.closeAfter) return sent;
    const close = (): void => this.reject('the request was cut short or broke a size limit (answered PROTOCOL_ERROR)');
    if (sent !== undefined) return sent.then(close);
    close();
    return undefined;
  }

  private errorMessage(error: HeaderFrameError): OutputBuffer {
    const writer = newWriter(error.protocol);
    writeApplicationException(writer, '', error.seqid, error.error);
    return writer.output;
  }

  /** Frames and writes an answer; a promise only when the framing is asynchronous (THeader). */
  private send(message: OutputBuffer, info: { protocol: ProtocolName; seqid: number; transforms?: readonly number[] }): Promise<void> | undefined {
    let wrapped: Buffer[] | Promise<Buffer[]>;
    try {
      wrapped = this.framing.wrap(message, info);
    } catch (error) {
      this.reject(`cannot send the answer: ${describe(error)}`);
      return undefined;
    }
    if (wrapped instanceof Promise) {
      return wrapped.then((segments) => this.put(segments), (error: unknown) => this.reject(`cannot send the answer: ${describe(error)}`));
    }
    this.put(wrapped);
    return undefined;
  }

  /**
   * The last answer of what the peer sent goes out at once; answers with more requests behind
   * them are gathered until the tick ends, so a pipelined batch is answered in one system call.
   */
  private put(segments: Buffer[]): void {
    if (this.closed) return;
    if (this.queue.length === 0) this.link.writeAtOnce(segments);
    else this.link.write(segments);
  }
}
