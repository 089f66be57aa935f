// One socket speaking one framing, for both our stream client and our stream server: decodes
// what arrives into messages, frames what we send, records the bytes on the wire, and, for
// netty-deflate, runs the whole stream through zlib both ways (see framing/netty.ts).
import type { Socket } from 'node:net';
import { createDeflate, createInflate, constants as zlibConstants, type Deflate, type Inflate } from 'node:zlib';
import type { Frame, FrameCodec, FrameDecoder } from '../framing/codec.ts';
import { describeForeignStream, looksZlib } from '../framing/sniff.ts';
import { FramingError } from '../limits.ts';
import type { WireRecorder } from '../../wire/recorder.ts';
import { coalesce } from '../../wire/coalesce.ts';
import type { OwnReads } from './reads.ts';

export interface ChannelHandlers {
  /** Whole messages, in the order they arrived. */
  frames(frames: Frame[]): void;
  /** Bad bytes (framing, compression): the channel is closed after this. */
  failed(error: Error): void;
  /** Bytes were decoded that completed no message (frames() is told otherwise): for timers that watch progress. */
  activity?(): void;
  /**
   * The connection is closed and everything received on it has been decoded, so `pending` counts
   * what was left of a message. For netty-deflate that is later than the socket's 'close': zlib
   * inflates on the thread pool, and the bytes that came just before the close are still there.
   */
  closed?(): void;
}

export class FrameChannel {
  readonly socket: Socket;
  private readonly codec: FrameCodec;
  private readonly decoder: FrameDecoder;
  private readonly recorder: WireRecorder | undefined;
  private readonly inflate: Inflate | undefined;
  private readonly deflate: Deflate | undefined;
  private handlers: ChannelHandlers | undefined;
  /** We failed or closed the channel: nothing more is decoded. */
  private stopped = false;
  private receivedBytes = 0;
  /** receivedBytes when the decoder last had nothing pending (between messages). */
  private receivedAtBoundary = 0;
  /** Writes of this tick are being gathered (see writeRaw). */
  private corked = false;
  /** A read is being decoded: what its handlers write is gathered, and written when it is done. */
  private gathering = false;
  /** What the handlers of the read being decoded wrote (one list, reused read after read). */
  private readonly gathered: Buffer[] = [];
  private gatheredBytes = 0;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private readonly reads: OwnReads | undefined;

  /** `reads`: the socket reads into a buffer of its own (reads.ts) and emits no 'data' events. */
  constructor(socket: Socket, codec: FrameCodec, recorder?: WireRecorder, reads?: OwnReads) {
    this.socket = socket;
    this.reads = reads;
    this.codec = codec;
    // Our own reads hand each region of their slabs out once; a recorder may keep what it is told.
    this.decoder = codec.decoder({ rewriteChunks: reads !== undefined && recorder === undefined });
    this.recorder = recorder;
    if (codec.compression === 'zlib') {
      this.inflate = createInflate();
      this.deflate = createDeflate({ level: 6 });
    }
  }

  /** Starts reading; handlers are told about every message and failure from now on. */
  start(handlers: ChannelHandlers): void {
    this.handlers = handlers;
    const socket = this.socket;
    if (this.inflate && this.deflate) {
      socket.on('data', (chunk: Buffer) => this.count(chunk));
      const inflate = this.inflate;
      const first: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        if (first.length < 1) first.push(chunk.subarray(0, 8));
      });
      socket.pipe(inflate);
      inflate.on('data', (chunk: Buffer) => this.decode(chunk));
      socket.once('close', () => {
        if (inflate.closed) return this.handlers?.closed?.();
        // Let the inflater finish what the socket gave it (its end() may fail on a cut stream: the
        // error handler below lets that pass), then tell.
        inflate.once('close', () => this.handlers?.closed?.());
        if (!inflate.writableEnded) inflate.end();
      });
      inflate.on('error', (error) => {
        if (socket.destroyed || socket.readableEnded) return; // the peer ended mid-stream: close handles it
        const start = first[0] ?? Buffer.alloc(0);
        const hint = looksZlib(start) ? '' : describeForeignStream(start, 'zlib-compressed Netty');
        this.fail(new FramingError(`the ${this.codec.name} stream does not inflate (${error.message}): it must be one zlib stream (RFC 1950).${hint}`));
      });
      this.deflate.on('data', (chunk: Buffer) => {
        this.recorder?.sent(chunk);
        if (!socket.destroyed) socket.write(chunk);
      });
      this.deflate.on('error', (error) => this.fail(new FramingError(`compressing failed: ${error.message}`)));
    } else {
      // One listener: an event with several listeners copies its listener array on every read.
      const received = (chunk: Buffer): void => {
        this.count(chunk);
        this.decode(chunk);
      };
      if (this.reads) this.reads.deliverTo(received);
      else socket.on('data', received);
      socket.once('close', () => this.handlers?.closed?.());
    }
  }

  private count(chunk: Buffer): void {
    this.recorder?.received(chunk);
    this.receivedBytes += chunk.length;
  }

  private decode(chunk: Buffer): void {
    // Not socket.destroyed: a peer's close can come before the inflater's last output.
    if (this.stopped) return;
    if (this.gathering) {
      this.dispatch(chunk); // within another read's handlers: written with theirs
      return;
    }
    this.gathering = true;
    try {
      this.dispatch(chunk);
    } finally {
      this.flushGathered();
    }
  }

  private dispatch(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.writeReplies();
      this.fail(error as Error);
      return;
    }
    this.writeReplies();
    if (this.reads !== undefined && frames.length > 0 && this.decoder.pending === 0) {
      // Between messages: our reads make room for one more as long as the last (reads.ts).
      this.reads.expect(this.receivedBytes - this.receivedAtBoundary);
      this.receivedAtBoundary = this.receivedBytes;
    }
    if (frames.length > 0) this.handlers?.frames(frames);
    else this.handlers?.activity?.();
  }

  /** Framing-level replies the decoder has (SASL's COMPLETE or FAIL); none on most reads. */
  private writeReplies(): void {
    if (this.decoder.takeReplies === undefined) return;
    for (const reply of this.decoder.takeReplies()) this.writeRaw([reply]);
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.flushGathered();
    this.handlers?.failed(error);
    // Let framing-level replies (SASL FAIL) go out before the socket closes.
    this.socket.end();
    this.socket.destroy();
  }

  /**
   * Writes framing-level bytes as they are (the SASL preamble and negotiation replies).
   * `alone`: the caller knows nothing else is being written in this tick (a client's only call in
   * flight), so the bytes go out at once instead of waiting for the end of the tick.
   */
  writeRaw(buffers: readonly Buffer[], alone = false): void {
    if (this.socket.destroyed) return;
    if (this.deflate) {
      for (const buffer of buffers) this.deflate.write(buffer);
      this.deflate.flush(zlibConstants.Z_SYNC_FLUSH);
      return;
    }
    // Everything written in answer to one read goes out in one system call when the read is done
    // (decode); measured on loopback, each write system call costs more CPU than the
    // JavaScript of a small call.
    if (this.gathering) {
      for (const buffer of buffers) {
        this.gathered.push(buffer);
        this.gatheredBytes += buffer.length;
      }
      return;
    }
    if (alone && !this.corked) {
      this.writeNow(buffers);
      return;
    }
    // Other writes of this tick (several calls made together, answers of asynchronous handlers)
    // are corked until the tick ends, to leave in one system call too. At one call in flight the
    // cork and the tick cost more than the call's own JavaScript, hence the two ways above.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    for (const buffer of coalesce(buffers)) {
      this.recorder?.sent(buffer);
      this.socket.write(buffer);
    }
  }


  /** Frames and writes one message given in parts (`alone`: see writeRaw). */
  send(parts: readonly Buffer[], serial: number, alone = false): void {
    this.writeRaw(this.codec.encodeParts(parts, serial), alone);
  }

  /** Writes at once: one buffer, or several in one system call. */
  private writeNow(buffers: readonly Buffer[]): void {
    const out = coalesce(buffers);
    if (out.length === 1) {
      this.recorder?.sent(out[0] as Buffer);
      this.socket.write(out[0] as Buffer);
      return;
    }
    this.socket.cork();
    for (const buffer of out) {
      this.recorder?.sent(buffer);
      this.socket.write(buffer);
    }
    this.socket.uncork();
  }

  /** Writes what the handlers of the read being decoded wrote. */
  private flushGathered(): void {
    if (!this.gathering) return;
    this.gathering = false;
    this.gatheredBytes = 0;
    const gathered = this.gathered;
    if (gathered.length === 0) return;
    try {
      if (!this.socket.destroyed) this.writeNow(gathered);
    } finally {
      gathered.length = 0; // the socket holds the buffers now, not this list
    }
  }

  pause(): void {
    (this.inflate ?? this.socket).pause();
  }

  resume(): void {
    (this.inflate ?? this.socket).resume();
  }

  /** Bytes of a message begun but not complete. */
  get pending(): number {
    return this.decoder.pending;
  }

  /** Bytes received on the socket so far (compressed, for netty-deflate). */
  get received(): number {
    return this.receivedBytes;
  }

  /** Bytes written but not yet handed to the network. */
  get unsent(): number {
    return this.gatheredBytes + this.socket.writableLength + (this.deflate ? this.deflate.writableLength + this.deflate.readableLength : 0);
  }

  close(): void {
    this.stopped = true;
    this.inflate?.destroy();
    this.deflate?.destroy();
    // What this tick wrote goes out first (an answer before the close that follows it).
    this.flushGathered();
    if (this.corked) this.uncork();
    this.socket.destroy();
  }
}
