// The body of an Avro HTTP message, on either side (an answer to our client, a request to our
// server): one message in standard framing (4-byte lengths, a zero-length frame at the end), read
// from borrowed bytes (the client connection's reused read buffer, connections.ts; node:http's body
// pieces in our server, freed as soon as they are read). The frames' contents are copied once,
// straight into one buffer that becomes the message: no view of a read is kept, and the frames are
// not joined afterwards.
//
// Why not the framing module's StandardBodyDecoder: it keeps the frames as views of the chunks
// they came in and joins them when the message ends. With net's reads (a new 64 KiB ArrayBuffer
// each) that was ~130 KiB of external memory per 64 KiB answer (reads plus join), and Java's
// peers frame every 8 KiB, so no message of theirs is ever contiguous: the client's collections
// were 16-39% of its busy time against Jetty, and our server's (which node:http gives each body
// piece in a copy of its own) ran a mark-compact every ~200 calls of a 64 KiB echo
// (impls/avro/profile/README.md).
//
// Bounded as the framing decoders are: a frame's declared length is checked against
// maxFrameBytes and the message's against maxMessageBytes before anything is taken, and the
// buffer grows only with bytes that really came (the caller sizes it from the answer's declared
// length only up to a bound, transport.ts).
import { FramingError, type Limits } from '../limits.ts';
import { describeForeignStream } from '../framing/sniff.ts';
import { releaseNow } from '../../wire/release.ts';

/** A message that fills less than this share of its buffer is copied into one of its own size. */
const LEAST_USED_SHARE = 0.5;
/** The first body of unknown length (chunked, or until close) starts in a buffer this big. */
const FIRST_BODY_BYTES = 16 * 1024;

/**
 * How big a buffer each body starts in, from the bodies one client or server has received. A
 * declared Content-Length is believed only up to `trustedBytes` (and, with `trustReceived`, up to
 * the largest body really received): a declared length alone, without the bytes, never makes it
 * allocate more. Larger bodies grow as they come.
 */
export class BodySizes {
  private readonly trusted: number;
  private readonly trustReceived: boolean;
  /** The largest body received whole, and the last body of unknown length (messages of one service tend to repeat their size). */
  private largest = 0;
  private lastUndeclared = FIRST_BODY_BYTES;

  /**
   * trustReceived: for a client, whose answers come from the server its caller chose. Not for a
   * server: any client may declare a length, and one large body must not let every later one
   * allocate its declared size before its bytes come.
   */
  constructor(trustedBytes: number, options: { trustReceived: boolean }) {
    this.trusted = trustedBytes;
    this.trustReceived = options.trustReceived;
  }

  /** The buffer for a body declaring `declared` bytes (undefined: chunked, or until close). */
  capacity(declared: number | undefined): number {
    const wanted = declared !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? declared : this.lastUndeclared;
    return Math.min(wanted, this.trustReceived ? Math.max(this.trusted, this.largest) : this.trusted);
  }

  /** A body was received whole. */
  received(bytes: number, declared: number | undefined): void {
    if (bytes > this.largest) this.largest = bytes;
    if (declared === undefined) this.lastUndeclared = bytes;
  }
}

export class FramedBodyReader {
  private readonly limits: Limits;
  private buffer: Buffer;
  /** Message bytes so far. */
  private length = 0;
  /** Bytes of the current frame still to come. */
  private frameLeft = 0;
  /** A length header split across reads: its value so far and how many of its bytes came. */
  private header = 0;
  private headerBytes = 0;
  /** The message has ended (its zero-length frame came); what follows may only be empty frames. */
  private ended = false;
  private trailing = 0;
  /** The body's first bytes, for the hint of an error on its first header. */
  private readonly start = Buffer.alloc(8);
  private startBytes = 0;

  /** Whether a body may hold an empty message (a request carries at least a handshake or a call). */
  private readonly allowEmpty: boolean;

  constructor(limits: Limits, capacity: number, options: { allowEmptyMessage?: boolean } = {}) {
    this.limits = limits;
    this.buffer = Buffer.allocUnsafe(capacity);
    this.allowEmpty = options.allowEmptyMessage ?? true;
  }

  /** Reads body bytes; they are borrowed (copied here, never kept). */
  push(bytes: Buffer): void {
    if (this.startBytes < this.start.length) this.startBytes += bytes.copy(this.start, this.startBytes);
    let at = 0;
    const end = bytes.length;
    while (at < end) {
      if (this.frameLeft > 0) {
        const n = Math.min(this.frameLeft, end - at);
        this.reserve(this.length + n);
        bytes.copy(this.buffer, this.length, at, at + n);
        this.length += n;
        this.frameLeft -= n;
        at += n;
        continue;
      }
      if (this.headerBytes === 0 && end - at >= 4) {
        this.frame(bytes.readUInt32BE(at));
        at += 4;
        continue;
      }
      this.header = this.header * 256 + (bytes[at] as number);
      at++;
      if (++this.headerBytes === 4) {
        const value = this.header;
        this.header = 0;
        this.headerBytes = 0;
        this.frame(value);
      }
    }
  }

  /** The message, once the body has ended (bodyBytes: its length, for the error message). */
  finish(bodyBytes: number): Buffer {
    if (!this.ended) throw new FramingError(`body of ${bodyBytes} bytes holds no complete framed message (truncated?)`);
    if (this.headerBytes > 0) throw new FramingError(`body has ${this.headerBytes} bytes after its framed message`);
    // A view of a mostly empty buffer would keep all of it alive as long as any decoded value refers to it.
    if (this.length < this.buffer.length * LEAST_USED_SHARE) {
      const message = Buffer.from(this.buffer.subarray(0, this.length));
      releaseNow(this.buffer);
      return message;
    }
    return this.buffer.subarray(0, this.length);
  }

  /** A frame's length header. */
  private frame(length: number): void {
    if (this.ended) {
      if (length > 0) throw new FramingError('body holds more than one framed message');
      if (++this.trailing > this.limits.maxTrailingEmptyFrames) {
        throw new FramingError(`body goes on after its message with more than ${this.limits.maxTrailingEmptyFrames} empty frames`);
      }
      return;
    }
    if (length === 0) {
      if (this.length === 0 && !this.allowEmpty) throw new FramingError('body holds an empty message (a request carries at least a handshake or a call)');
      this.ended = true;
      return;
    }
    if (length > this.limits.maxFrameBytes) {
      const first = this.length === 0 ? describeForeignStream(this.start.subarray(0, this.startBytes), 'Avro standard') : '';
      throw new FramingError(`frame of ${length} bytes exceeds the limit of ${this.limits.maxFrameBytes}.${first}`);
    }
    if (this.length + length > this.limits.maxMessageBytes) {
      throw new FramingError(`message exceeds the limit of ${this.limits.maxMessageBytes} bytes`);
    }
    this.frameLeft = length;
  }

  /** Room for `needed` message bytes: grows by doubling, only as bytes come. */
  private reserve(needed: number): void {
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(this.buffer.length * 2, this.limits.maxMessageBytes)));
    this.buffer.copy(grown, 0, 0, this.length);
    // Nothing else has a view of the outgrown buffer: freed now, it does not wait for a collection.
    releaseNow(this.buffer);
    this.buffer = grown;
  }
}
