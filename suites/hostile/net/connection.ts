// One raw connection to a server under attack (loopback only): writes pieces with backpressure,
// keeps what comes back, and times the server's reactions (first answer byte, close) from the
// moment the last byte was written. With compression 'zlib' (Avro's netty-deflate) both
// directions run through one zlib stream each, as Flume does; the answer kept is the inflated one.
import { connect, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createDeflate, createInflate, constants as zlib, type Deflate, type Inflate } from 'node:zlib';
import { LOOPBACK } from '../../../harness/net/ports.ts';

/**
 * A write hands the socket at most this many bytes before it lets the event loop turn. Socket
 * events (the server's answer, its FIN) and our own timers are only seen on a turn, and a write
 * that the kernel takes whole never waits for 'drain': against a server that keeps reading as
 * fast as we write (Jetty draining a request it has already answered), a loop without turns
 * wrote all 100 MB of a case and only then saw the answer and FIN that came after the first MB.
 */
const TURN_BYTES = 256 * 1024;

export interface ConnectionOptions {
  readonly port: number;
  readonly compression?: 'zlib';
  /** Keep at most this many answer bytes (the rest is counted, not kept). */
  readonly keepAnswerBytes?: number;
  /** Do not read at all (a client that never reads its answers). */
  readonly neverRead?: boolean;
}

export class RawConnection {
  private readonly socket: Socket;
  private readonly deflate: Deflate | undefined;
  private readonly inflate: Inflate | undefined;
  private readonly keep: number;
  private readonly answer: Buffer[] = [];
  private kept = 0;
  /** Answer bytes received (after inflating), kept or not. */
  answerBytes = 0;
  readonly openedAt = performance.now();
  connectedAt: number | undefined;
  firstAnswerAt: number | undefined;
  closedAt: number | undefined;
  /** When the server ended its side (its FIN, seen as the socket's 'end'): it sends no more. */
  serverEndedAt: number | undefined;
  lastWriteAt: number | undefined;
  /** Bytes handed to the socket that it accepted (written out or buffered by the kernel). */
  bytesWritten = 0;
  private destroyedByUs = false;
  /** A write gave up: the server took nothing for stallMs while we had bytes for it. */
  stalled = false;
  /** The error the socket ended with, if any (ECONNRESET, EPIPE...). */
  error: string | undefined;
  private readonly closed: Promise<void>;
  private readonly ended: Promise<void>;
  private readonly connected: Promise<void>;
  private readonly listeners = new Set<() => void>();
  private readonly readers: ((chunk: Buffer) => void)[] = [];

  constructor(options: ConnectionOptions) {
    this.keep = options.keepAnswerBytes ?? 64 * 1024;
    this.socket = connect({ host: LOOPBACK, port: options.port });
    this.socket.setNoDelay(true);
    this.connected = new Promise((resolve) => this.socket.once('connect', () => {
      this.connectedAt = performance.now();
      resolve();
    }));
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      // Our own destroy() is not the server closing.
      if (!this.destroyedByUs) this.closedAt = performance.now();
      this.notify();
      resolve();
    }));
    // Only a socket that reads sees the FIN ('end'); one that never reads never has it.
    this.ended = new Promise((resolve) => this.socket.once('end', () => {
      this.serverEndedAt = performance.now();
      this.notify();
      resolve();
    }));
    this.socket.on('error', (error) => { this.error ??= error.message; });
    if (options.compression === 'zlib') {
      this.deflate = createDeflate();
      this.deflate.on('data', (chunk: Buffer) => this.socket.write(chunk));
      this.deflate.on('error', (error) => { this.error ??= `deflate: ${error.message}`; });
      this.inflate = createInflate({ finishFlush: zlib.Z_SYNC_FLUSH });
      this.inflate.on('error', (error) => { this.error ??= `inflate: ${error.message}`; });
      this.inflate.on('data', (chunk: Buffer) => this.received(chunk));
    }
    if (options.neverRead) this.socket.pause();
    else this.socket.on('data', (chunk: Buffer) => (this.inflate ? this.inflate.write(chunk) : this.received(chunk)));
  }

  /** Also hands every answer chunk (inflated) to `reader`. */
  onAnswer(reader: (chunk: Buffer) => void): void {
    this.readers.push(reader);
  }

  private received(chunk: Buffer): void {
    this.firstAnswerAt ??= performance.now();
    this.answerBytes += chunk.length;
    for (const reader of this.readers) reader(chunk);
    if (this.kept < this.keep) {
      const part = chunk.subarray(0, this.keep - this.kept);
      this.answer.push(part);
      this.kept += part.length;
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Closed by the server, or by us. */
  get isClosed(): boolean {
    return this.closedAt !== undefined || this.destroyedByUs;
  }

  /** The answer bytes kept so far. */
  answerSoFar(): Buffer {
    return Buffer.concat(this.answer, this.kept);
  }

  waitConnected(): Promise<void> {
    return Promise.race([this.connected, this.closed]);
  }

  /**
   * Writes the pieces in order, waiting for the socket to drain when it asks to, and letting the
   * event loop turn at least every TURN_BYTES; stops early when the connection closes, the server
   * ends its side (a server that answered and half-closed is sent no more of the request, as
   * RFC 9112 section 9.5 asks of a client; what it would drain after its FIN is our doing, not
   * its), the signal aborts, or the server takes nothing for `stallMs` (then `stalled` is set).
   * With zlib, the pieces are flushed (Z_SYNC_FLUSH) at the end.
   */
  async write(pieces: Iterable<Buffer>, signal?: AbortSignal, stallMs?: number): Promise<void> {
    await this.waitConnected();
    const stopped = signal ? new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })) : undefined;
    const drained = async (stream: NodeJS.WritableStream): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      const stall = stallMs === undefined ? [] : [new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.stalled = true;
          resolve();
        }, stallMs);
      })];
      await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), this.closed, this.ended, ...(stopped ? [stopped] : []), ...stall]);
      clearTimeout(timer);
    };
    const sink = this.deflate ?? this.socket;
    let sinceTurn = 0;
    for (const piece of pieces) {
      if (this.isClosed || this.serverEndedAt !== undefined || this.socket.destroyed || signal?.aborted || this.stalled) return;
      const more = sink.write(piece);
      this.bytesWritten += piece.length;
      sinceTurn += piece.length;
      if (!more) {
        await drained(sink);
        sinceTurn = 0;
      } else if (sinceTurn >= TURN_BYTES) {
        await nextTurn();
        sinceTurn = 0;
      }
    }
    if (this.stalled) return;
    if (this.deflate) await new Promise<void>((resolve) => (this.deflate as Deflate).flush(zlib.Z_SYNC_FLUSH, () => resolve()));
    // Written means handed to the kernel: wait for the socket's own buffer to empty.
    if (!this.isClosed && this.socket.writableLength > 0) await drained(this.socket);
    this.lastWriteAt = performance.now();
  }

  /** Bytes the kernel took from us (written out, or in its buffers); not those still queued in this process. */
  acceptedBytes(): number {
    return this.socket.bytesWritten - this.socket.writableLength;
  }

  /** Writes pieces one every `everyMs` (a trickle), until done, closed, or the server ended its side. */
  async trickle(pieces: Iterable<Buffer>, everyMs: number, signal?: AbortSignal): Promise<void> {
    for (const piece of pieces) {
      if (this.isClosed || this.serverEndedAt !== undefined || signal?.aborted) return;
      await this.write([piece], signal);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, everyMs)), this.closed]);
    }
  }

  /**
   * Resolves when `done` says the answer is complete, the connection closes, or `ms` pass,
   * whichever is first; with the instant it stopped waiting.
   */
  async until(ms: number, done: (connection: RawConnection) => boolean = () => false): Promise<void> {
    if (this.isClosed || done(this)) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.isClosed || done(this)) finish();
      };
      const timer = setTimeout(() => finish(), ms);
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  /** Resolves when the server has closed the connection, or after `ms`. */
  async untilClosed(ms: number): Promise<boolean> {
    await this.until(ms);
    return this.isClosed;
  }

  /** Milliseconds since the last byte was written (or since connecting) until `instant`. */
  since(instant: number | undefined): number | undefined {
    if (instant === undefined) return undefined;
    return Math.max(0, instant - (this.lastWriteAt ?? this.connectedAt ?? this.openedAt));
  }

  destroy(): void {
    if (!this.socket.destroyed) this.destroyedByUs = this.closedAt === undefined;
    this.socket.destroy();
    this.deflate?.destroy();
    this.inflate?.destroy();
  }

  /** Ends our side and waits (at most `ms`) for the server to close its side. */
  async end(ms = 500): Promise<void> {
    this.socket.end();
    await this.untilClosed(ms);
    this.destroy();
  }
}
