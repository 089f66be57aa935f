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
import type { Framing, Unwrapped } from './transport/framing.ts';
import type { Link } from './transport/link.ts';

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
  private readonly queue: Buffer[] = [];
  private busy = false;
  private peerEnded = false;
  private closed = false;
  // One Timeout each for the read and idle limits, made once and moved on with refresh(); a
  // disarmed timer that still fires does nothing. (They were a new Timeout and closure per message.)
  private readTimer: NodeJS.Timeout | undefined;
  private readArmed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleArmed = false;
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
    if (!this.idleArmed) return;
    this.reject(`idle for ${this.options.limits.idleTimeoutMs} ms`);
  };

  private received(chunk: Buffer, borrowed: boolean): void {
    if (this.closed) return;
    this.idleArmed = false;
    let units: Buffer[];
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
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(this.idleExpired, this.options.limits.idleTimeoutMs);
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let unit = this.queue.shift(); unit !== undefined && !this.closed; unit = this.queue.shift()) {
        await this.handle(unit);
        if (this.link.needsDrain) this.pause();
        else this.maybeResume();
      }
    } finally {
      this.busy = false;
    }
    if (this.closed) return;
    if (this.peerEnded) this.link.end();
    else this.armIdle();
  }

  private async handle(unit: Buffer): Promise<void> {
    let request: Unwrapped;
    try {
      const unwrapped = this.framing.unwrap(unit);
      // Only THeader unwraps asynchronously; awaiting a plain value would cost a trip through the microtask queue.
      request = unwrapped instanceof Promise ? await unwrapped : unwrapped;
    } catch (error) {
      if (error instanceof HeaderFrameError) {
        // The frame is intact but its contents cannot be used: answer, as Python's THeader does.
        await this.send(this.errorMessage(error), { protocol: error.protocol, seqid: error.seqid });
        return;
      }
      this.reject(describe(error));
      return;
    }
    const write = this.options.answerInRequestProtocol ? request.protocol : this.options.writeProtocol;
    let processed: Processed;
    try {
      processed = await this.processor.process(request.message, request.protocol, write, this.link.peer, request.header?.headers);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.reject(`unreadable request: ${error.message}`);
        return;
      }
      this.reject(`server error: ${describe(error)}`);
      return;
    }
    if (processed.reply) {
      const output = processed.reply;
      const length = output.length;
      await this.send({ segments: output.finish(), length }, {
        protocol: write, seqid: processed.seqid,
        ...(request.header ? { transforms: request.header.transforms } : {}),
      });
    }
    if (processed.closeAfter) this.reject('the request was cut short or broke a size limit (answered PROTOCOL_ERROR)');
  }

  private errorMessage(error: HeaderFrameError): { segments: Buffer[]; length: number } {
    const writer = newWriter(error.protocol);
    writeApplicationException(writer, '', error.seqid, error.error);
    const length = writer.output.length;
    return { segments: writer.output.finish(), length };
  }

  private async send(message: { segments: Buffer[]; length: number }, info: { protocol: ProtocolName; seqid: number; transforms?: readonly number[] }): Promise<void> {
    try {
      const wrapped = this.framing.wrap(message.segments, message.length, info);
      this.link.write(wrapped instanceof Promise ? await wrapped : wrapped);
    } catch (error) {
      this.reject(`cannot send the answer: ${describe(error)}`);
    }
  }
}
