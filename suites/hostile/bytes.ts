// The byte notation of suites/hostile/data/cases.json: a list of parts, concatenated. Large parts
// (fill, repeat) are produced lazily in pieces, so a case can send 100 MB without this process
// holding 100 MB. See suites/hostile/data/README.md for the notation.
import { createHash, randomBytes } from 'node:crypto';

export type Part =
  | { readonly hex: string }
  | { readonly varint: string | number }
  | { readonly string: string }
  | { readonly text: string }
  | { readonly u32: number }
  | { readonly hash: HashName }
  | { readonly md5: string }
  | { readonly protocol: ProtocolName }
  | { readonly fill: { readonly byte: number; readonly count: number } }
  | { readonly repeat: readonly Part[]; readonly times: number }
  | { readonly call: CallSpec }
  | { readonly byProtocol: Readonly<Record<string, readonly Part[]>> };

/** A valid call, encoded in the cell's protocol (Thrift). */
export interface CallSpec {
  readonly method: string;
  readonly args?: Record<string, unknown>;
  readonly seqid?: number;
}

/** ours: the protocol our side speaks; victim: a protocol nobody used before this case; random: 16 random bytes. */
export type HashName = 'ours' | 'victim' | 'random';
export type ProtocolName = 'ours' | 'victim';

/** What names in the notation stand for in one case (the RPC family's protocol and the case's victim). */
export interface BytesContext {
  readonly hashes: Readonly<Record<Exclude<HashName, 'random'>, Buffer>>;
  readonly texts: Readonly<Record<ProtocolName, string>>;
  /** The cell's protocol, for byProtocol parts ("*": any other). */
  readonly protocol?: string;
  /** Encodes a valid call in the cell's protocol (RPC families whose calls the notation names). */
  readonly encodeCall?: (spec: CallSpec) => Buffer;
}

/** The parts a byProtocol part stands for in this context. */
function chosen(part: { readonly byProtocol: Readonly<Record<string, readonly Part[]>> }, context: BytesContext): readonly Part[] {
  const parts = part.byProtocol[context.protocol ?? ''] ?? part.byProtocol['*'];
  if (!parts) throw new Error(`no bytes for protocol ${context.protocol ?? '(none)'} in ${JSON.stringify(Object.keys(part.byProtocol))}`);
  return parts;
}

/** Pieces of fill parts are at most this large (and shared: a fill never holds more than one). */
const PIECE_BYTES = 1024 * 1024;

/** Avro's zigzag varint of a 64-bit value. */
export function zigzagVarint(value: bigint | number | string): Buffer {
  let n = BigInt(value);
  n = n < 0n ? ((-n) << 1n) - 1n : n << 1n;
  const bytes: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n !== 0n);
  return Buffer.from(bytes);
}

export function hexBytes(hex: string): Buffer {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: "${hex}"`);
  return Buffer.from(clean, 'hex');
}

function avroString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([zigzagVarint(bytes.length), bytes]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0, 0);
  return buffer;
}

/** The bytes of a part that is small by construction (everything but fill and repeat). */
function small(part: Part, context: BytesContext): Buffer | undefined {
  if ('hex' in part) return hexBytes(part.hex);
  if ('varint' in part) return zigzagVarint(part.varint);
  if ('string' in part) return avroString(part.string);
  if ('text' in part) return Buffer.from(part.text, 'utf8');
  if ('u32' in part) return u32(part.u32);
  if ('hash' in part) return part.hash === 'random' ? randomBytes(16) : context.hashes[part.hash];
  if ('md5' in part) return createHash('md5').update(part.md5, 'utf8').digest();
  if ('call' in part) {
    if (!context.encodeCall) throw new Error('a call part needs an RPC family that encodes calls');
    return context.encodeCall(part.call);
  }
  if ('protocol' in part) return avroString(context.texts[part.protocol]);
  return undefined;
}

/** Small pieces are gathered up to this size before they are handed on (one write, not thousands). */
const GATHER_BYTES = 64 * 1024;

/** The parts' bytes, in pieces of at most about 1 MB, produced as they are read. */
export function* pieces(parts: readonly Part[], context: BytesContext): Generator<Buffer> {
  let gathered: Buffer[] = [];
  let size = 0;
  for (const piece of rawPieces(parts, context)) {
    if (piece.length >= GATHER_BYTES) {
      if (size > 0) yield Buffer.concat(gathered, size);
      gathered = [];
      size = 0;
      yield piece;
      continue;
    }
    gathered.push(piece);
    size += piece.length;
    if (size >= GATHER_BYTES) {
      yield Buffer.concat(gathered, size);
      gathered = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(gathered, size);
}

function* rawPieces(parts: readonly Part[], context: BytesContext): Generator<Buffer> {
  for (const part of parts) {
    const bytes = small(part, context);
    if (bytes) {
      yield bytes;
    } else if ('fill' in part) {
      const piece = Buffer.alloc(Math.min(PIECE_BYTES, part.fill.count), part.fill.byte);
      for (let left = part.fill.count; left > 0; left -= piece.length) yield left >= piece.length ? piece : piece.subarray(0, left);
    } else if ('repeat' in part) {
      yield* repeated(part.repeat, part.times, context);
    } else if ('byProtocol' in part) {
      yield* rawPieces(chosen(part, context), context);
    }
  }
}

/** Whether the parts come out the same every time (no random hash) and small. */
function fixedAndSmall(parts: readonly Part[], context: BytesContext): boolean {
  const random = (p: Part): boolean => ('hash' in p && p.hash === 'random') || ('repeat' in p && p.repeat.some(random))
    || ('byProtocol' in p && chosen(p, context).some(random));
  return !parts.some(random) && lengthOf(parts, context) <= GATHER_BYTES;
}

/** A repeat: a small fixed body is built once and written in blocks of many repetitions. */
function* repeated(body: readonly Part[], times: number, context: BytesContext): Generator<Buffer> {
  if (!fixedAndSmall(body, context)) {
    for (let i = 0; i < times; i++) yield* rawPieces(body, context);
    return;
  }
  const once = Buffer.concat([...rawPieces(body, context)]);
  if (once.length === 0) return;
  const perBlock = Math.max(1, Math.floor(GATHER_BYTES / once.length));
  const block = Buffer.concat(Array.from({ length: Math.min(perBlock, times) }, () => once));
  let left = times;
  for (; left >= perBlock; left -= perBlock) yield block;
  if (left > 0) yield block.subarray(0, left * once.length);
}

/** How many bytes the parts make, without making them. */
export function lengthOf(parts: readonly Part[], context: BytesContext): number {
  let total = 0;
  for (const part of parts) {
    if ('fill' in part) total += part.fill.count;
    else if ('repeat' in part) total += part.times * lengthOf(part.repeat, context);
    else if ('byProtocol' in part) total += lengthOf(chosen(part, context), context);
    else if ('hash' in part) total += 16;
    else total += (small(part, context) as Buffer).length;
  }
  return total;
}

/** Largest value bytesOf builds in one buffer; larger values must be sent as pieces. */
export const MAX_JOINED_BYTES = 64 * 1024 * 1024;

/** The parts' bytes in one buffer (for values small enough to hold). */
export function bytesOf(parts: readonly Part[], context: BytesContext): Buffer {
  const length = lengthOf(parts, context);
  if (length > MAX_JOINED_BYTES) throw new Error(`${length} bytes is too large to build in one buffer; send it as pieces`);
  return Buffer.concat([...pieces(parts, context)], length);
}

/** Regroups a stream of pieces into windows of exactly `size` bytes (the last one shorter). */
export function* windows(source: Iterable<Buffer>, size: number): Generator<Buffer[]> {
  let window: Buffer[] = [];
  let filled = 0;
  for (let piece of source) {
    while (piece.length > 0) {
      const take = Math.min(size - filled, piece.length);
      window.push(piece.subarray(0, take));
      filled += take;
      piece = piece.subarray(take);
      if (filled === size) {
        yield window;
        window = [];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield window;
}
