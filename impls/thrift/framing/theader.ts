// THeader (Facebook's header format, doc/specs/HeaderFormat.md upstream): inside a 4-byte length
// frame, magic 0x0FFF, 16-bit flags, 32-bit sequence id, header length in 4-byte words, then
// varint protocol id, varint transform count and ids, info headers (type 1: key/value strings),
// padding, then the message (zlib-compressed when the ZLIB transform is listed).
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { ProtocolError, SizeError, TApplicationException, ApplicationErrorType } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { OutputBuffer } from '../protocol/output.ts';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export const HEADER_MAGIC = 0x0fff;
export const HEADER_PROTOCOL_IDS: Readonly<Record<string, number>> = { binary: 0, compact: 2 };
export const ZLIB_TRANSFORM = 1;
const INFO_KEY_VALUE = 1;

export interface HeaderInfo {
  readonly protocol: ProtocolName;
  readonly flags: number;
  readonly seqid: number;
  readonly transforms: readonly number[];
  readonly headers: ReadonlyMap<string, string>;
}

export interface HeaderFrame extends HeaderInfo {
  /** The message, transforms undone. */
  readonly message: Buffer;
}

/** A header frame whose contents cannot be used: the error can still be answered with the frame's seqid. */
export class HeaderFrameError extends Error {
  override readonly name = 'HeaderFrameError';
  readonly seqid: number;
  readonly protocol: ProtocolName;
  readonly error: TApplicationException;

  constructor(seqid: number, protocol: ProtocolName, error: TApplicationException) {
    super(error.message);
    this.seqid = seqid;
    this.protocol = protocol;
    this.error = error;
  }
}

class HeaderCursor {
  pos: number;
  private readonly buf: Buffer;
  private readonly end: number;

  constructor(buf: Buffer, start: number, end: number) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get left(): number {
    return this.end - this.pos;
  }

  varint(what: string): number {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new SizeError(`header ${what}: the header area ends inside a varint`);
      const b = this.buf[this.pos++] as number;
      value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) {
        if (value < 0) throw new ProtocolError(`header ${what}: negative varint`);
        return value;
      }
    }
    throw new ProtocolError(`header ${what}: varint longer than 5 bytes`);
  }

  string(what: string): string {
    const length = this.varint(`${what} length`);
    if (length > this.left) throw new SizeError(`header ${what} declares ${length} bytes but the header area has ${this.left} left`);
    const text = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }
}

/** Reads one header frame (the 4-byte length already removed). */
export async function readHeaderFrame(frame: Buffer, limits: Limits): Promise<HeaderFrame> {
  if (frame.length < 10) throw new SizeError(`THeader frame of ${frame.length} bytes is shorter than its 10-byte fixed part`);
  const magic = frame.readUInt16BE(0);
  if (magic !== HEADER_MAGIC) {
    throw new ProtocolError(`not a THeader frame: magic 0x${magic.toString(16).padStart(4, '0')} (expected 0x0fff; a framed or unframed client talking to a header server?)`);
  }
  const flags = frame.readUInt16BE(2);
  const seqid = frame.readInt32BE(4);
  const headerLength = frame.readUInt16BE(8) * 4;
  if (10 + headerLength > frame.length) {
    throw new SizeError(`THeader declares ${headerLength} header bytes but the frame has ${frame.length - 10} after its fixed part`);
  }
  const cursor = new HeaderCursor(frame, 10, 10 + headerLength);
  const protocolId = cursor.varint('protocol id');
  const protocol = protocolId === 0 ? 'binary' : protocolId === 2 ? 'compact' : undefined;
  if (protocol === undefined) {
    throw new HeaderFrameError(seqid, 'binary', new TApplicationException(ApplicationErrorType.INVALID_PROTOCOL, `THeader protocol id ${protocolId} is not supported (0 binary, 2 compact)`));
  }
  const transformCount = cursor.varint('transform count');
  if (transformCount > cursor.left) throw new SizeError(`THeader declares ${transformCount} transforms but the header area has ${cursor.left} bytes left`);
  const transforms: number[] = [];
  for (let i = 0; i < transformCount; i++) {
    const id = cursor.varint('transform id');
    if (id !== ZLIB_TRANSFORM) {
      throw new HeaderFrameError(seqid, protocol, new TApplicationException(ApplicationErrorType.INVALID_TRANSFORM, `THeader transform ${id} is not supported (1 zlib)`));
    }
    transforms.push(id);
  }
  const headers = new Map<string, string>();
  while (cursor.left > 0) {
    const type = cursor.varint('info header type');
    // 0 is padding; other unknown types end what can be read (as in the reference implementations).
    if (type !== INFO_KEY_VALUE) break;
    const count = cursor.varint('info header count');
    if (count * 2 > cursor.left) throw new SizeError(`THeader declares ${count} info headers but the header area has ${cursor.left} bytes left`);
    for (let i = 0; i < count; i++) {
      const key = cursor.string('info header key');
      headers.set(key, cursor.string('info header value'));
    }
  }
  let message = frame.subarray(10 + headerLength);
  for (let i = transforms.length - 1; i >= 0; i--) {
    try {
      message = await inflateAsync(message, { maxOutputLength: limits.maxMessageSize });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (error instanceof RangeError || /maxOutputLength|buffer/i.test(text)) {
        throw new SizeError(`THeader zlib payload inflates to more than ${limits.maxMessageSize} bytes`);
      }
      throw new ProtocolError(`THeader zlib payload: ${text}`);
    }
  }
  return { protocol, flags, seqid, transforms, headers, message };
}

export interface HeaderWrite {
  readonly protocol: ProtocolName;
  readonly seqid: number;
  readonly flags?: number;
  readonly transforms?: readonly number[];
  readonly headers?: ReadonlyMap<string, string>;
}

/** The wire bytes of one header frame around a message (4-byte length included). */
export async function writeHeaderFrame(segments: Buffer[], length: number, info: HeaderWrite, limits: Limits): Promise<Buffer[]> {
  const protocolId = HEADER_PROTOCOL_IDS[info.protocol];
  if (protocolId === undefined) throw new ProtocolError(`THeader cannot carry the ${info.protocol} protocol (binary or compact only)`);
  const transforms = info.transforms ?? [];
  let payload = segments;
  let payloadLength = length;
  if (transforms.length > 0) {
    let data = segments.length === 1 && segments[0] ? segments[0] : Buffer.concat(segments, length);
    for (const id of transforms) {
      if (id !== ZLIB_TRANSFORM) throw new ProtocolError(`THeader transform ${id} is not supported`);
      data = await deflateAsync(data);
    }
    payload = [data];
    payloadLength = data.length;
  }
  const header = new OutputBuffer();
  header.varint32(protocolId);
  header.varint32(transforms.length);
  for (const id of transforms) header.varint32(id);
  if (info.headers && info.headers.size > 0) {
    header.varint32(INFO_KEY_VALUE);
    header.varint32(info.headers.size);
    for (const [key, value] of info.headers) {
      const k = Buffer.from(key, 'utf8');
      const v = Buffer.from(value, 'utf8');
      header.varint32(k.length);
      header.bytes(k);
      header.varint32(v.length);
      header.bytes(v);
    }
  }
  while (header.length % 4 !== 0) header.byte(0);
  const headerBytes = header.toBuffer();
  if (headerBytes.length / 4 > 0xffff) throw new ProtocolError(`THeader info headers of ${headerBytes.length} bytes do not fit the 16-bit header length`);
  const frameLength = 10 + headerBytes.length + payloadLength;
  if (frameLength > limits.maxFrameSize) throw new SizeError(`THeader frame of ${frameLength} bytes is over the limit of ${limits.maxFrameSize}`);
  const fixed = Buffer.allocUnsafe(14);
  fixed.writeUInt32BE(frameLength, 0);
  fixed.writeUInt16BE(HEADER_MAGIC, 4);
  fixed.writeUInt16BE(info.flags ?? 0, 6);
  fixed.writeInt32BE(info.seqid, 8);
  fixed.writeUInt16BE(headerBytes.length / 4, 12);
  return [fixed, headerBytes, ...payload];
}
