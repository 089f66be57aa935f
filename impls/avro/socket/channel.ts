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

export interface ChannelHandlers {
  /** Whole messages, in the order they arrived. */
  frames(frames: Frame[]): void;
  /** Bad bytes (framing, compression): the channel is closed after this. */
  failed(error: Error): void;
  /** Bytes were decoded that completed no message (frames() is told otherwise): for timers that watch progress. */
  activity?(): void;
}

export class FrameChannel {
  readonly socket: Socket;
  private readonly codec: FrameCodec;
  private readonly decoder: FrameDecoder;
  private readonly recorder: WireRecorder | undefined;
  private readonly inflate: Inflate | undefined;
  private readonly deflate: Deflate | undefined;
  private handlers: ChannelHandlers | undefined;
  private receivedBytes = 0;
  /** Writes of this tick are being gathered (see writeRaw). */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(socket: Socket, codec: FrameCodec, recorder?: WireRecorder) {
    this.socket = socket;
    this.codec = codec;
    this.decoder = codec.decoder();
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
      socket.on('data', (chunk: Buffer) => {
        this.count(chunk);
        this.decode(chunk);
      });
    }
  }

  private count(chunk: Buffer): void {
    this.recorder?.received(chunk);
    this.receivedBytes += chunk.length;
  }

  private decode(chunk: Buffer): void {
    if (this.socket.destroyed) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      for (const reply of this.decoder.takeReplies?.() ?? []) this.writeRaw([reply]);
      this.fail(error as Error);
      return;
    }
    for (const reply of this.decoder.takeReplies?.() ?? []) this.writeRaw([reply]);
    if (frames.length > 0) this.handlers?.frames(frames);
    else this.handlers?.activity?.();
  }

  private fail(error: Error): void {
    if (this.socket.destroyed) return;
    this.handlers?.failed(error);
    // Let framing-level replies (SASL FAIL) go out before the socket closes.
    this.socket.end();
    this.socket.destroy();
  }

  /** Writes framing-level bytes as they are (the SASL preamble and negotiation replies). */
  writeRaw(buffers: readonly Buffer[]): void {
    if (this.socket.destroyed) return;
    if (this.deflate) {
      for (const buffer of buffers) this.deflate.write(buffer);
      this.deflate.flush(zlibConstants.Z_SYNC_FLUSH);
      return;
    }
    // Everything written in this tick goes out in one system call (several answers of a pipelined
    // connection, several calls made together): corked until the tick ends. Measured on
    // loopback, each write system call costs more CPU than the JavaScript of a small call.
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


  /** Frames and writes one message given in parts; the parts are not copied. */
  send(parts: readonly Buffer[], serial: number): void {
    this.writeRaw(this.codec.encodeParts(parts, serial));
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
    return this.socket.writableLength + (this.deflate ? this.deflate.writableLength + this.deflate.readableLength : 0);
  }

  close(): void {
    this.inflate?.destroy();
    this.deflate?.destroy();
    // What this tick wrote goes out first (an answer before the close that follows it).
    if (this.corked) this.uncork();
    this.socket.destroy();
  }
}
