// A connection's byte pipe under the framing: the socket itself, or the socket with a zlib stream
// each way (TZlibTransport: one deflate stream per direction, a sync flush after every message,
// as Java's DeflaterOutputStream(syncFlush) and Python's Z_SYNC_FLUSH do). Every byte on the
// socket is told to the recorder.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { ProtocolError } from '../errors.ts';
import type { WireRecorder } from '../../wire/recorder.ts';
import { coalesce } from '../../wire/coalesce.ts';
import { releaseNow } from '../../wire/release.ts';
import type { ReusedReads } from './sockets.ts';

export interface LinkEvents {
  /**
   * Bytes received (decompressed under zlib). Borrowed: the chunk's memory is read into again once
   * this returns, so nothing may keep a reference to it (ReusedReads).
   */
  data(chunk: Buffer, borrowed: boolean): void;
  /** The peer finished sending (half-close). */
  end(): void;
  /** The connection is gone; error when it broke. */
  closed(error: Error | undefined): void;
  /** Writes that were queued have gone out. */
  drain(): void;
}

export interface Link {
  readonly peer: string;
  start(events: LinkEvents): void;
  /** Queues the segments of one message (in order with every earlier write). */
  write(segments: readonly Buffer[]): void;
  /**
   * The same, for a message nothing else is written beside in this tick (a server's answer to the
   * last request of a read): it goes out now, in one system call, without gathering the tick's
   * writes first (that costs a cork, a nextTick and a buffered write request per message). Joins
   * the tick's gathered writes when there are some.
   */
  writeAtOnce(segments: readonly Buffer[]): void;
  /**
   * The consumer keeps no view of this chunk (one given to data, unborrowed): its memory may be
   * given back now rather than at a garbage collection. Does nothing where that is not safe.
   */
  release(chunk: Buffer): void;
  /** Writes are waiting for the peer to read. */
  readonly needsDrain: boolean;
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes our side. */
  end(): void;
  destroy(error?: Error): void;
  readonly destroyed: boolean;
}

const NO_RECORDER: WireRecorder = { sent: () => undefined, received: () => undefined };

export function peerOf(socket: Socket): string {
  return socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? ''}` : 'unix socket peer';
}

export class PlainLink implements Link {
  readonly peer: string;
  private readonly socket: Socket;
  private readonly recorder: WireRecorder;
  private error: Error | undefined;
  /** Writes of this tick are being gathered (see write). */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private readonly reads: ReusedReads | undefined;
  /**
   * net hands every read of a TCP or Unix socket over in a new ArrayBuffer of its own (64 KiB at
   * most) and keeps no reference to it: once we keep no view of it either, detaching it frees the
   * memory at once. Left to the collector, the read buffers of an accepted socket were half of a
   * 64 KiB echo server's external memory, which V8 counts against the old generation's limit: a
   * mark-compact every ~200 calls. Our servers' sockets now read into a buffer of ours
   * (ReusedReads, impls/wire/accepted-reads.ts); this is for a socket where that fell back. Not
   * under TLS (its reads pass through its own layer) nor with a recorder (it keeps what it is told).
   */
  private readonly releasable: boolean;

  /** reads: the ReusedReads the socket was opened with, if it was. */
  constructor(socket: Socket, recorder: WireRecorder = NO_RECORDER, peer = peerOf(socket), reads?: ReusedReads) {
    this.socket = socket;
    this.recorder = recorder;
    this.peer = peer;
    this.reads = reads;
    this.releasable = reads === undefined && recorder === NO_RECORDER && !(socket instanceof TLSSocket);
  }

  release(chunk: Buffer): void {
    if (this.releasable) releaseNow(chunk);
  }

  start(events: LinkEvents): void {
    if (this.reads) {
      const recording = this.recorder !== NO_RECORDER;
      this.reads.deliverTo((chunk, borrowed) => {
        // A recorder keeps what it is told: it gets its own copy of a borrowed chunk.
        if (recording) this.recorder.received(borrowed ? Buffer.from(chunk) : chunk);
        events.data(chunk, borrowed);
      });
    } else {
      this.socket.on('data', (chunk: Buffer) => {
        this.recorder.received(chunk);
        events.data(chunk, false);
      });
    }
    this.socket.on('end', () => events.end());
    this.socket.on('error', (error) => {
      this.error ??= error;
    });
    this.socket.on('close', () => events.closed(this.error));
    this.socket.on('drain', () => events.drain());
  }

  write(segments: readonly Buffer[]): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    // Everything written in this tick goes out in one system call (the answers to a pipelined
    // batch of requests, calls made together): corked until the tick ends. On loopback each write
    // system call costs more CPU than the JavaScript of a small call.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    for (const segment of coalesce(segments)) {
      this.recorder.sent(segment);
      this.socket.write(segment);
    }
  }

  writeAtOnce(segments: readonly Buffer[]): void {
    if (this.corked) {
      this.write(segments);
      return;
    }
    if (this.socket.destroyed || !this.socket.writable) return;
    const buffers = coalesce(segments);
    // Several buffers: corked and uncorked at once, so they still leave in one writev.
    const several = buffers.length > 1;
    if (several) this.socket.cork();
    for (const buffer of buffers) {
      this.recorder.sent(buffer);
      this.socket.write(buffer);
    }
    if (several) this.socket.uncork();
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
  }

  destroy(error?: Error): void {
    if (error) this.error ??= error;
    // What this tick wrote goes out first (an answer before the close that follows it).
    if (this.corked) this.uncork();
    this.socket.destroy();
  }
}

export class ZlibLink implements Link {
  readonly peer: string;
  private readonly socket: Socket;
  private readonly recorder: WireRecorder;
  private readonly inflate: Inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
  private readonly deflate: Deflate = createDeflate({ level: 6 });
  private error: Error | undefined;
  private paused = false;
  private socketClosed = false;

  constructor(socket: Socket, recorder: WireRecorder = NO_RECORDER, peer = peerOf(socket)) {
    this.socket = socket;
    this.recorder = recorder;
    this.peer = peer;
  }

  start(events: LinkEvents): void {
    this.socket.on('data', (chunk: Buffer) => {
      this.recorder.received(chunk);
      // The inflater's buffer is full while our reader is paused: stop reading the socket too.
      if (!this.inflate.write(chunk)) this.socket.pause();
    });
    this.inflate.on('drain', () => {
      if (!this.paused) this.socket.resume();
    });
    this.inflate.on('data', (chunk: Buffer) => events.data(chunk, false));
    this.inflate.on('error', (error) => {
      // The peer ended inside a deflate block: that end is what happened, and end/closed tell it.
      if (this.socketClosed || this.socket.readableEnded) return;
      this.destroy(new ProtocolError(`zlib stream from the peer: ${error.message}`));
    });
    this.socket.on('end', () => this.inflate.end());
    this.inflate.on('end', () => events.end());
    this.deflate.on('data', (chunk: Buffer) => {
      if (this.socket.destroyed) return;
      this.recorder.sent(chunk);
      this.socket.write(chunk);
    });
    this.deflate.on('error', (error) => this.destroy(error));
    this.deflate.on('end', () => this.socket.end());
    this.socket.on('error', (error) => {
      this.error ??= error;
    });
    let toldClosed = false;
    const closed = (): void => {
      if (toldClosed) return;
      toldClosed = true;
      events.closed(this.error);
    };
    this.socket.on('close', () => {
      this.socketClosed = true;
      this.deflate.destroy();
      // zlib inflates on the thread pool: the bytes that came just before the close (a reply and
      // then the close, in one write) are still in the inflater. They are handed over first,
      // unless the reader has paused (it wants nothing more) or we destroyed the link.
      if (this.paused || this.inflate.destroyed) {
        this.inflate.destroy();
        closed();
        return;
      }
      this.inflate.once('close', closed);
      if (!this.inflate.writableEnded) this.inflate.end();
    });
    this.socket.on('drain', () => events.drain());
    // Our writes may wait in the deflater as well as in the socket.
    this.deflate.on('drain', () => events.drain());
  }

  /** Inflated chunks are views of zlib's output buffers: left to the collector. */
  release(): void {}

  write(segments: readonly Buffer[]): void {
    if (this.socket.destroyed || this.deflate.destroyed) return;
    for (const segment of segments) if (segment.length > 0) this.deflate.write(segment);
    this.deflate.flush(constants.Z_SYNC_FLUSH);
  }

  writeAtOnce(segments: readonly Buffer[]): void {
    this.write(segments);
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain || this.deflate.writableNeedDrain;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  pause(): void {
    this.paused = true;
    // After the socket's close a paused inflater would never finish, nor tell of the close.
    if (this.socketClosed) this.inflate.destroy();
    else this.inflate.pause();
  }

  resume(): void {
    this.paused = false;
    this.inflate.resume();
    this.socket.resume();
  }

  end(): void {
    this.deflate.end();
  }

  destroy(error?: Error): void {
    if (error) this.error ??= error;
    this.inflate.destroy();
    this.socket.destroy();
  }
}
