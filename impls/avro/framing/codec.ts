// What every Avro framing offers, so that one stream client and one stream server serve them all.
export interface Frame {
  /** Netty framing's serial; undefined for standard framing (answers come back in order). */
  readonly serial: number | undefined;
  readonly payload: Buffer;
}

export interface FrameDecoder {
  /** Feeds bytes; returns every message completed by them. Throws FramingError on bad input. */
  push(chunk: Buffer): Frame[];
  /** Bytes received but not yet part of a complete message. */
  readonly pending: number;
  /** Framing-level bytes to send back (SASL negotiation answers); empty for other framings. */
  takeReplies?(): readonly Buffer[];
}

export interface DecoderOptions {
  /**
   * The chunks pushed are the decoder's to rewrite once it has consumed them: nobody else keeps a
   * view of them (our client's own reads, socket/reads.ts, without a wire recorder). Standard and
   * Netty framing then join a message's pieces in place instead of copying them into a new buffer.
   */
  readonly rewriteChunks?: boolean;
}

export interface FrameCodec {
  readonly name: string;
  /** Whether answers carry the request's serial (several calls may be in flight). */
  readonly matchesBySerial: boolean;
  /** The framed bytes of one message, in one buffer (copies the payload). */
  encode(payload: Buffer, serial: number): Buffer;
  /** The framed bytes of one message given in parts, as a list of buffers to write (no copy). */
  encodeParts(parts: readonly Buffer[], serial: number): Buffer[];
  decoder(options?: DecoderOptions): FrameDecoder;
  /** Bytes a client sends once, right after connecting (SASL's START); none for other framings. */
  readonly clientPreamble?: Buffer;
  /** The whole byte stream, both ways, is a zlib stream (netty-deflate: Flume's compression-type deflate). */
  readonly compression?: 'zlib';
}
