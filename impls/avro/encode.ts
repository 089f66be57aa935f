// Encoding Avro values for the wire, as parts that the transports frame and write without copying.
//
// avsc's Type.toBuffer encodes into a shared 1 KiB buffer; a larger value is encoded a second time
// into a zero-filled buffer of the right size (measured: a 64 KiB bytes echo paid a zero-fill and a
// copy of the payload per message, in the client and in the responder). Here a value is written
// once: small items go into a reusable scratch buffer and are copied out together at the end, and
// bytes or fixed values of at least BY_REFERENCE bytes are not copied at all: the parts refer to
// the caller's buffers (as node's socket.write does with the buffers it is given), so a large
// payload reaches the socket as the buffer the caller passed in.
import { createRequire } from 'node:module';
import type { AvroType } from './types.ts';

/** The part of avsc's Tap (lib/utils.js) that its writers use. */
interface WriteTap {
  buf: Buffer;
  pos: number;
  writeFixed(buf: Buffer, len?: number): void;
}
type TapConstructor = new (buf: Buffer, pos?: number) => WriteTap;
const AvscTap = (createRequire(import.meta.url)('avsc/lib/utils.js') as { Tap: TapConstructor }).Tap;

/** Bytes and fixed values at least this long are referenced, not copied. */
const BY_REFERENCE = 8192;
/** The scratch buffer grows up to this size, to be reused; larger encodings get a buffer of their own. */
const SCRATCH_MAX = 1024 * 1024;

/** A piece of the encoding: a range of the tap's buffer, or a referenced buffer. */
type Piece = number | Buffer;

/**
 * A Tap that keeps large bytes/fixed values by reference. `pos` counts only the bytes written into
 * `buf`; when they do not fit, writing goes on past the end without storing anything (avsc's Tap
 * contract), so that one pass tells how large a buffer is needed.
 */
class PartsTap extends AvscTap {
  /** Alternating: an end offset in buf (the range starts where the previous one ended), or a buffer. */
  pieces: Piece[] = [];

  override writeFixed(buf: Buffer, len?: number): void {
    const length = len || buf.length; // avsc's own default, also for a zero len
    if (length < BY_REFERENCE) {
      super.writeFixed(buf, length);
      return;
    }
    this.pieces.push(this.pos, length === buf.length ? buf : buf.subarray(0, length));
  }
}

let scratch = Buffer.allocUnsafe(8192);
let scratchInUse = false;

/**
 * The binary encoding of value as parts, in order (no part is empty). Throws as avsc's toBuffer
 * does when the value does not fit the type.
 */
export function encodeParts(type: AvroType, value: unknown): Buffer[] {
  const writer = type as unknown as { _write(tap: WriteTap, value: unknown): void };
  // Re-entered (a logical type encoding from inside another encoding): a buffer of its own.
  const reuse = !scratchInUse;
  let buffer = reuse ? scratch : Buffer.allocUnsafe(1024);
  scratchInUse = true;
  try {
    let tap = new PartsTap(buffer);
    writer._write(tap, value);
    if (tap.pos > buffer.length) {
      // The small items did not fit: once more, into a buffer of exactly their size.
      buffer = Buffer.allocUnsafe(tap.pos);
      if (reuse && tap.pos <= SCRATCH_MAX) scratch = buffer;
      tap = new PartsTap(buffer);
      writer._write(tap, value);
    }
    const owned = buffer === scratch ? Buffer.from(buffer.subarray(0, tap.pos)) : buffer.subarray(0, tap.pos);
    return assemble(owned, tap.pieces, tap.pos);
  } finally {
    if (reuse) scratchInUse = false;
  }
}

/** One Buffer (a copy only when the encoding has several parts). */
export function encodeBuffer(type: AvroType, value: unknown): Buffer {
  const parts = encodeParts(type, value);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

function assemble(owned: Buffer, pieces: readonly Piece[], end: number): Buffer[] {
  if (pieces.length === 0) return owned.length > 0 ? [owned] : [];
  const parts: Buffer[] = [];
  let start = 0;
  for (const piece of pieces) {
    if (typeof piece === 'number') {
      if (piece > start) parts.push(owned.subarray(start, piece));
      start = piece;
    } else {
      parts.push(piece);
    }
  }
  if (end > start) parts.push(owned.subarray(start, end));
  return parts;
}
