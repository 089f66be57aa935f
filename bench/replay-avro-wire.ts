// The bytes of the Avro replay floor (replay-avro.ts), written here byte by byte from the Avro
// specification ("Binary Encoding", "Protocol Wire Format") and, for SASL, from Java's
// SaslSocketTransceiver and SaslSocketServer, not with our codec (impls/avro), so that the floor
// owes nothing to the implementation it judges. What the binary encoding needs here:
//
//   int, long      zig-zag (n << 1 ^ n >> 63), then 7-bit groups, low first, high bit = more
//   string, bytes  a long length, then the bytes (a string's in UTF-8)
//   union          a long branch index, then that branch's value (null: nothing)
//   map            blocks of a long count and entries, ended by a count of 0 (empty map: 00)
//   enum           a long symbol index;  fixed: its bytes;  record: its fields in order
//
// And the stream framings around a message, read only as far as finding a message's end requires:
//
//   standard  buffers of a 4-byte big-endian length and that many bytes, a zero length ends the
//             message (tcp, and sasl after its negotiation)
//   netty     a pack: 4-byte serial, 4-byte buffer count, then each buffer as 4-byte length and
//             bytes; no terminator (Java's NettyTransportCodec)
//   sasl      before any message: status byte START (0), then the mechanism and the initial
//             response, each a 4-byte length and bytes; the server answers COMPLETE (3) and an
//             empty buffer (ANONYMOUS needs nothing more)
import { PAYLOAD_INT, payloadBytes, type Payload } from './protocol.ts';

export const MD5_BYTES = 16;
/** A message longer than this is not one of the echoes: the connection ends (no unbounded buffering). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** An Avro int or long of at most 32 bits, zig-zag then varint. */
export function zigzagVarint(n: number): Buffer {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`${n} is not a 32-bit integer`);
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function avroString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([zigzagVarint(bytes.length), bytes]);
}

/** The echo of one payload: the message's name and its value's bytes (the parameter and the response are the same type). */
export function echoOf(payload: Payload): { message: string; value: Buffer } {
  if (payload.kind === 'int') return { message: 'echoInt', value: zigzagVarint(PAYLOAD_INT) };
  return { message: 'echoBytes', value: Buffer.concat([zigzagVarint(payload.size), payloadBytes(payload.size)]) };
}

/** A call request: request metadata (an empty map), the message name, the parameters (one field, value). */
export function callRequest(payload: Payload): Buffer {
  const { message, value } = echoOf(payload);
  return Buffer.concat([Buffer.from([0x00]), avroString(message), value]);
}

/** A call response: response metadata (an empty map), the error flag false, the response. */
export function callResponse(payload: Payload): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0x00]), echoOf(payload).value]);
}

/** A call request with the empty message name: a ping, which a server answers with its handshake alone. */
export const PING = Buffer.from([0x00, 0x00]);

/** HandshakeRequest: clientHash (fixed 16), clientProtocol null (branch 0), serverHash (fixed 16), meta null (branch 0). */
export function handshakeRequest(clientHash: Buffer, serverHash: Buffer): Buffer {
  if (clientHash.length !== MD5_BYTES || serverHash.length !== MD5_BYTES) throw new RangeError('an MD5 hash is 16 bytes');
  return Buffer.concat([clientHash, Buffer.from([0x00]), serverHash, Buffer.from([0x00])]);
}

/** HandshakeResponse: match BOTH (symbol 0), serverProtocol null, serverHash null, meta null. */
export const HANDSHAKE_BOTH = Buffer.from([0x00, 0x00, 0x00, 0x00]);

const MATCHES = ['BOTH', 'CLIENT', 'NONE'] as const;

/** Reads a zig-zag varint of at most 32 bits at `at`; the value and where it ends. */
function readVarint(bytes: Buffer, at: number, what: string): { value: number; end: number } {
  let raw = 0;
  for (let i = 0; i < 5; i++) {
    const b = bytes[at + i];
    if (b === undefined) throw new Error(`the handshake response ends inside its ${what}`);
    raw += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value: raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, end: at + i + 1 };
  }
  throw new Error(`the handshake response's ${what} is longer than an int`);
}

/**
 * The server's protocol hash from its answer to a handshake it could not match (NONE, or CLIENT):
 * match, serverProtocol (branch 1: a string, skipped), serverHash (branch 1: 16 bytes).
 */
export function serverHashOf(response: Buffer): Buffer {
  const match = readVarint(response, 0, 'match');
  const name = MATCHES[match.value];
  if (name === undefined) throw new Error(`the handshake response has match ${match.value}, not an index of ${MATCHES.join(', ')}`);
  if (name === 'BOTH') throw new Error('the server answered BOTH to hashes of zeros: it says nothing of its own hash');
  const protocolBranch = readVarint(response, match.end, 'serverProtocol branch');
  let at = protocolBranch.end;
  if (protocolBranch.value === 1) {
    const length = readVarint(response, at, 'serverProtocol length');
    if (length.value < 0 || length.end + length.value > response.length) throw new Error(`the serverProtocol's length ${length.value} runs past the response`);
    at = length.end + length.value;
  } else if (protocolBranch.value !== 0) throw new Error(`serverProtocol has branch ${protocolBranch.value} of ["null", "string"]`);
  const hashBranch = readVarint(response, at, 'serverHash branch');
  if (hashBranch.value !== 1) throw new Error(`the ${name} response carries no serverHash (branch ${hashBranch.value})`);
  if (hashBranch.end + MD5_BYTES > response.length) throw new Error('the response ends inside its serverHash');
  return Buffer.from(response.subarray(hashBranch.end, hashBranch.end + MD5_BYTES));
}

function uint32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/** Standard framing with the whole message as one buffer, then the zero-length buffer. */
export function standardFramed(message: Buffer): Buffer {
  return Buffer.concat([uint32(message.length), message, uint32(0)]);
}

/** A Netty pack of one buffer holding the whole message. */
export function nettyPack(serial: number, message: Buffer): Buffer {
  const header = Buffer.allocUnsafe(12);
  header.writeInt32BE(serial, 0);
  header.writeUInt32BE(1, 4);
  header.writeUInt32BE(message.length, 8);
  return Buffer.concat([header, message]);
}

export const SASL_START = 0;
export const SASL_COMPLETE_STATUS = 3;
export const SASL_MECHANISM = 'ANONYMOUS';

/** A client's opening: START, the mechanism's name, the initial response (for ANONYMOUS: trace text, RFC 4505). */
export function saslStart(trace: string): Buffer {
  const mechanism = Buffer.from(SASL_MECHANISM, 'utf8');
  const response = Buffer.from(trace, 'utf8');
  return Buffer.concat([Buffer.from([SASL_START]), uint32(mechanism.length), mechanism, uint32(response.length), response]);
}

/** The server's answer to an ANONYMOUS start: COMPLETE and an empty buffer (Java's AnonymousServer has nothing to say). */
export const SASL_COMPLETE = Buffer.from([SASL_COMPLETE_STATUS, 0, 0, 0, 0]);

/** Where a framing reader reports a message's bytes and its end. */
export interface FrameSink {
  /** Bytes of the message under way, in order (a view of the chunk read). */
  content(piece: Buffer): void;
  /** The message ended; a Netty pack's serial, undefined in standard framing. */
  end(serial: number | undefined): void;
}

export interface FramingReader {
  /** Walks the bytes read, reporting to the sink; throws on framing that cannot be the echoes'. */
  push(chunk: Buffer): void;
}

/** Fills a small header from the chunks as they come; the header may span chunks. */
class Header {
  readonly bytes: Buffer;
  private have = 0;

  constructor(size: number) {
    this.bytes = Buffer.alloc(size);
  }

  /** Takes what it still needs from chunk at `at`; returns where it stopped and whether it is full (then resets). */
  fill(chunk: Buffer, at: number): { at: number; full: boolean } {
    const n = Math.min(this.bytes.length - this.have, chunk.length - at);
    chunk.copy(this.bytes, this.have, at, at + n);
    this.have += n;
    const full = this.have === this.bytes.length;
    if (full) this.have = 0;
    return { at: at + n, full };
  }
}

/** Standard framing: buffers until a zero length. */
export class StandardFramingReader implements FramingReader {
  private readonly header = new Header(4);
  private left = 0;
  private total = 0;
  private readonly sink: FrameSink;

  constructor(sink: FrameSink) {
    this.sink = sink;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - at);
        this.sink.content(chunk.subarray(at, at + n));
        at += n;
        this.left -= n;
        continue;
      }
      const filled = this.header.fill(chunk, at);
      at = filled.at;
      if (!filled.full) return;
      const length = this.header.bytes.readUInt32BE(0);
      if (length === 0) {
        this.total = 0;
        this.sink.end(undefined);
        continue;
      }
      this.total += length;
      if (this.total > MAX_MESSAGE_BYTES) throw new Error(`a message of more than ${MAX_MESSAGE_BYTES} bytes`);
      this.left = length;
    }
  }
}

/** Netty framing: a pack header (serial, count), then count buffers. */
export class NettyFramingReader implements FramingReader {
  private readonly packHeader = new Header(8);
  private readonly lengthHeader = new Header(4);
  private inPack = false;
  private serial = 0;
  private buffersLeft = 0;
  private left = 0;
  private total = 0;
  private readonly sink: FrameSink;

  constructor(sink: FrameSink) {
    this.sink = sink;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.inPack) {
        const filled = this.packHeader.fill(chunk, at);
        at = filled.at;
        if (!filled.full) return;
        this.serial = this.packHeader.bytes.readInt32BE(0);
        const count = this.packHeader.bytes.readUInt32BE(4);
        // Every buffer takes at least its 4-byte length: a count beyond that bound is no echo's.
        if (count === 0 || count > MAX_MESSAGE_BYTES / 4) throw new Error(`a Netty pack of ${count} buffers`);
        this.buffersLeft = count;
        this.total = 0;
        this.inPack = true;
        continue;
      }
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - at);
        this.sink.content(chunk.subarray(at, at + n));
        at += n;
        this.left -= n;
        if (this.left === 0) this.bufferDone();
        continue;
      }
      const filled = this.lengthHeader.fill(chunk, at);
      at = filled.at;
      if (!filled.full) return;
      const length = this.lengthHeader.bytes.readUInt32BE(0);
      this.total += 4 + length;
      if (this.total > MAX_MESSAGE_BYTES) throw new Error(`a message of more than ${MAX_MESSAGE_BYTES} bytes`);
      this.left = length;
      if (length === 0) this.bufferDone();
    }
  }

  private bufferDone(): void {
    this.buffersLeft -= 1;
    if (this.buffersLeft > 0) return;
    this.inPack = false;
    this.sink.end(this.serial);
  }
}

const MAX_SASL_START_BYTES = 1 + 4 + 64 + 4 + 4096;

/**
 * A server's reading of a client's SASL opening (START, mechanism, initial response): undefined
 * until it is complete, then the bytes that followed it. Throws on anything but START ANONYMOUS.
 */
export class SaslStartReader {
  private bytes: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { rest: Buffer } | undefined {
    this.bytes = this.bytes.length === 0 ? chunk : Buffer.concat([this.bytes, chunk]);
    const b = this.bytes;
    if (b.length < 1) return undefined;
    if (b[0] !== SASL_START) throw new Error(`SASL status ${b[0]} where a client starts with START (0)`);
    if (b.length < 5) return undefined;
    const mechanismLength = b.readUInt32BE(1);
    if (mechanismLength > 64) throw new Error(`a SASL mechanism name of ${mechanismLength} bytes`);
    if (b.length < 5 + mechanismLength) return undefined;
    const mechanism = b.toString('utf8', 5, 5 + mechanismLength);
    if (mechanism.toUpperCase() !== SASL_MECHANISM) throw new Error(`SASL mechanism ${mechanism}, not ${SASL_MECHANISM}`);
    const at = 5 + mechanismLength;
    if (b.length < at + 4) return undefined;
    const responseLength = b.readUInt32BE(at);
    if (at + 4 + responseLength > MAX_SASL_START_BYTES) throw new Error(`a SASL initial response of ${responseLength} bytes`);
    if (b.length < at + 4 + responseLength) return undefined;
    return { rest: b.subarray(at + 4 + responseLength) };
  }
}
