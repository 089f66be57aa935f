// SASL framing as Java's SaslSocketServer / SaslSocketTransceiver speak it (the avro:// URIs of
// avro-tools): a negotiation of status frames, then standard framing.
//
// Negotiation frame: 1 status byte (START=0, CONTINUE=1, FAIL=2, COMPLETE=3), then one or two
// length-prefixed buffers. A client opens with START + mechanism name + initial response; with
// ANONYMOUS the server answers COMPLETE at once. Java's client does not wait for that answer: it
// sends its first request right behind the START ("piggybacked") and reads COMPLETE before the
// first response, so both sides here accept that order.
import { DEFAULT_LIMITS, FramingError, type Limits } from '../limits.ts';
import { ByteQueue } from './byte-queue.ts';
import type { DecoderOptions, Frame, FrameCodec, FrameDecoder } from './codec.ts';
import { describeForeignStream } from './sniff.ts';
import { encodeStandard, encodeStandardParts, StandardFrameDecoder } from './standard.ts';

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

/**
 * Reads a status byte and `count` length-prefixed buffers from the front of the queue, removing
 * them; undefined (nothing removed) while incomplete.
 */
function readNegotiation(queue: ByteQueue, count: number, side: string): { status: number; buffers: Buffer[] } | undefined {
  if (queue.length < 1) return undefined;
  const status = queue.byteAt(0);
  if (status > SaslStatus.COMPLETE) {
    const hint = queue.consumed === 0 ? describeForeignStream(queue.peek(8), 'SASL') : '';
    throw new FramingError(`unexpected SASL status byte ${status} from the ${side}.${hint}`);
  }
  const lengths: number[] = [];
  let offset = 1;
  for (let i = 0; i < count; i++) {
    if (queue.length < offset + 4) return undefined;
    const length = queue.uint32At(offset);
    if (length > MAX_NEGOTIATION_BYTES) throw new FramingError(`SASL negotiation buffer of ${length} bytes from the ${side} (limit ${MAX_NEGOTIATION_BYTES})`);
    if (queue.length < offset + 4 + length) return undefined;
    lengths.push(length);
    offset += 4 + length;
  }
  queue.skip(1);
  const buffers = lengths.map((length) => {
    queue.skip(4);
    return Buffer.concat(queue.take(length));
  });
  return { status, buffers };
}

const NO_REPLIES: readonly Buffer[] = [];

/** Hands what is left of the negotiation queue to the message decoder. */
function handOver(queue: ByteQueue, data: StandardFrameDecoder): Frame[] {
  const frames: Frame[] = [];
  for (const view of queue.takeAll()) frames.push(...data.push(view));
  return frames;
}

/** Server side: expects START ANONYMOUS, answers COMPLETE, then decodes standard framing. */
class SaslServerDecoder implements FrameDecoder {
  private negotiated = false;
  private readonly head = new ByteQueue();
  private replies: Buffer[] = [];
  private readonly data: StandardFrameDecoder;

  constructor(limits: Partial<Limits>, options: DecoderOptions) {
    this.data = new StandardFrameDecoder(limits, options);
  }

  get pending(): number {
    return this.head.length + this.data.pending;
  }

  takeReplies(): readonly Buffer[] {
    if (this.replies.length === 0) return NO_REPLIES; // every read after the negotiation: no allocation
    const replies = this.replies;
    this.replies = [];
    return replies;
  }

  push(chunk: Buffer): Frame[] {
    if (this.negotiated) return this.data.push(chunk);
    this.head.push(chunk);
    const start = readNegotiation(this.head, 2, 'client');
    if (!start) return [];
    if (start.status !== SaslStatus.START) throw new FramingError(`expected SASL START, got status ${start.status}`);
    const mechanism = start.buffers[0]?.toString('utf8') ?? '';
    if (mechanism.toUpperCase() !== MECHANISM) {
      this.replies.push(encodeSaslStatus(SaslStatus.FAIL, Buffer.from(`Wrong mechanism: ${mechanism}`)));
      throw new FramingError(`SASL mechanism ${mechanism} is not supported (only ${MECHANISM})`);
    }
    this.replies.push(encodeSaslStatus(SaslStatus.COMPLETE, Buffer.alloc(0)));
    this.negotiated = true;
    return handOver(this.head, this.data);
  }
}

/** Client side: expects the server's COMPLETE (or FAIL) before the first framed response. */
class SaslClientDecoder implements FrameDecoder {
  private negotiated = false;
  private readonly head = new ByteQueue();
  private readonly data: StandardFrameDecoder;

  constructor(limits: Partial<Limits>, options: DecoderOptions) {
    this.data = new StandardFrameDecoder(limits, options);
  }

  get pending(): number {
    return this.head.length + this.data.pending;
  }

  push(chunk: Buffer): Frame[] {
    if (this.negotiated) return this.data.push(chunk);
    this.head.push(chunk);
    const answer = readNegotiation(this.head, 1, 'server');
    if (!answer) return [];
    if (answer.status === SaslStatus.FAIL) throw new FramingError(`SASL failed: ${answer.buffers[0]?.toString('utf8')}`);
    if (answer.status !== SaslStatus.COMPLETE) throw new FramingError(`unexpected SASL status ${answer.status} (only ANONYMOUS is supported)`);
    this.negotiated = true;
    return handOver(this.head, this.data);
  }
}

export function saslServerCodec(limits: Partial<Limits> = DEFAULT_LIMITS): FrameCodec {
  return {
    name: 'sasl', matchesBySerial: false,
    encode: (payload) => encodeStandard(payload),
    encodeParts: (parts) => encodeStandardParts(parts),
    decoder: (options = {}) => new SaslServerDecoder(limits, options),
  };
}

/** The ANONYMOUS initial response is a trace string; Java sends the user name. */
export function saslClientCodec(limits: Partial<Limits> = DEFAULT_LIMITS, trace = 'avro-thrift-conformance'): FrameCodec {
  return {
    name: 'sasl',
    matchesBySerial: false,
    clientPreamble: encodeSaslStart(MECHANISM, Buffer.from(trace, 'utf8')),
    encode: (payload) => encodeStandard(payload),
    encodeParts: (parts) => encodeStandardParts(parts),
    decoder: (options = {}) => new SaslClientDecoder(limits, options),
  };
}
