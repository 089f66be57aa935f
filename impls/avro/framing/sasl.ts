// SASL framing as Java's SaslSocketServer / SaslSocketTransceiver speak it (the avro:// URIs of
// avro-tools): a negotiation of status frames, then standard framing.
//
// Negotiation frame: 1 status byte (START=0, CONTINUE=1, FAIL=2, COMPLETE=3), then one or two
// length-prefixed buffers. A client opens with START + mechanism name + initial response; with
// ANONYMOUS the server answers COMPLETE at once. Java's client does not wait for that answer: it
// sends its first request right behind the START ("piggybacked") and reads COMPLETE before the
// first response, so both sides here accept that order.
import { DEFAULT_LIMITS, FramingError, type Limits } from '../limits.ts';
import type { Frame, FrameCodec, FrameDecoder } from './codec.ts';
import { encodeStandard, StandardFrameDecoder } from './standard.ts';

export const SaslStatus = { START: 0, CONTINUE: 1, FAIL: 2, COMPLETE: 3 } as const;
export const MECHANISM = 'ANONYMOUS';
/** Negotiation buffers are tiny; anything bigger is not SASL. */
const MAX_NEGOTIATION_BYTES = 64 * 1024;

function lengthPrefixed(data: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(data.length, 0);
  return Buffer.concat([header, data]);
}

export function encodeSaslStart(mechanism: string, initialResponse: Buffer): Buffer {
  return Buffer.concat([Buffer.from([SaslStatus.START]), lengthPrefixed(Buffer.from(mechanism, 'utf8')), lengthPrefixed(initialResponse)]);
}

export function encodeSaslStatus(status: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([status]), lengthPrefixed(data)]);
}

/** Reads `count` length-prefixed buffers after a status byte; undefined while incomplete. */
function readNegotiation(buffer: Buffer, count: number): { status: number; buffers: Buffer[]; used: number } | undefined {
  if (buffer.length < 1) return undefined;
  const status = buffer[0] ?? -1;
  if (status > SaslStatus.COMPLETE) throw new FramingError(`unexpected SASL status byte ${status}`);
  const buffers: Buffer[] = [];
  let offset = 1;
  for (let i = 0; i < count; i++) {
    if (buffer.length < offset + 4) return undefined;
    const length = buffer.readUInt32BE(offset);
    if (length > MAX_NEGOTIATION_BYTES) throw new FramingError(`SASL negotiation buffer of ${length} bytes`);
    if (buffer.length < offset + 4 + length) return undefined;
    buffers.push(buffer.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return { status, buffers, used: offset };
}

/** Server side: expects START ANONYMOUS, answers COMPLETE, then decodes standard framing. */
class SaslServerDecoder implements FrameDecoder {
  private negotiated = false;
  private head: Buffer = Buffer.alloc(0);
  private replies: Buffer[] = [];
  private readonly data: StandardFrameDecoder;

  constructor(limits: Limits) {
    this.data = new StandardFrameDecoder(limits);
  }

  get pending(): number {
    return this.head.length + this.data.pending;
  }

  takeReplies(): Buffer[] {
    const replies = this.replies;
    this.replies = [];
    return replies;
  }

  push(chunk: Buffer): Frame[] {
    if (this.negotiated) return this.data.push(chunk);
    this.head = Buffer.concat([this.head, chunk]);
    const start = readNegotiation(this.head, 2);
    if (!start) {
      if (this.head.length > MAX_NEGOTIATION_BYTES) throw new FramingError('SASL negotiation too long');
      return [];
    }
    if (start.status !== SaslStatus.START) throw new FramingError(`expected SASL START, got status ${start.status}`);
    const mechanism = start.buffers[0]?.toString('utf8') ?? '';
    if (mechanism.toUpperCase() !== MECHANISM) {
      this.replies.push(encodeSaslStatus(SaslStatus.FAIL, Buffer.from(`Wrong mechanism: ${mechanism}`)));
      throw new FramingError(`SASL mechanism ${mechanism} is not supported (only ${MECHANISM})`);
    }
    this.replies.push(encodeSaslStatus(SaslStatus.COMPLETE, Buffer.alloc(0)));
    this.negotiated = true;
    const rest = this.head.subarray(start.used);
    this.head = Buffer.alloc(0);
    return rest.length > 0 ? this.data.push(rest) : [];
  }
}

/** Client side: expects the server's COMPLETE (or FAIL) before the first framed response. */
class SaslClientDecoder implements FrameDecoder {
  private negotiated = false;
  private head: Buffer = Buffer.alloc(0);
  private readonly data: StandardFrameDecoder;

  constructor(limits: Limits) {
    this.data = new StandardFrameDecoder(limits);
  }

  get pending(): number {
    return this.head.length + this.data.pending;
  }

  push(chunk: Buffer): Frame[] {
    if (this.negotiated) return this.data.push(chunk);
    this.head = Buffer.concat([this.head, chunk]);
    const answer = readNegotiation(this.head, 1);
    if (!answer) return [];
    if (answer.status === SaslStatus.FAIL) throw new FramingError(`SASL failed: ${answer.buffers[0]?.toString('utf8')}`);
    if (answer.status !== SaslStatus.COMPLETE) throw new FramingError(`unexpected SASL status ${answer.status} (only ANONYMOUS is supported)`);
    this.negotiated = true;
    const rest = this.head.subarray(answer.used);
    this.head = Buffer.alloc(0);
    return rest.length > 0 ? this.data.push(rest) : [];
  }
}

export function saslServerCodec(limits: Limits = DEFAULT_LIMITS): FrameCodec {
  return { name: 'sasl', matchesBySerial: false, encode: (payload) => encodeStandard(payload), decoder: () => new SaslServerDecoder(limits) };
}

/** The ANONYMOUS initial response is a trace string; Java sends the user name. */
export function saslClientCodec(limits: Limits = DEFAULT_LIMITS, trace = 'avro-thrift-conformance'): FrameCodec {
  return {
    name: 'sasl',
    matchesBySerial: false,
    clientPreamble: encodeSaslStart(MECHANISM, Buffer.from(trace, 'utf8')),
    encode: (payload) => encodeStandard(payload),
    decoder: () => new SaslClientDecoder(limits),
  };
}
