// Deflate and zstandard decompression of data-file blocks with one decompression context per codec
// for the process, into the reader's own reused output buffer (room.ts).
//
// node:zlib's synchronous calls (inflateRawSync, zstdDecompressSync) set up a new context per call,
// free it at the end, and return a new output buffer each time. On the bench's 64 KB blocks, CPU a
// block: inflate 49-56 µs against 27-32 µs, zstd 45-58 µs against 24-25 µs, for the same blocks
// through one kept context into one kept buffer (impls/avro-datafile/profile/README.md, "Reads: one
// context per codec, reused output").
//
// So, as zstd.ts does for compression, one node:zlib stream object per codec is kept and driven
// synchronously through its native handle, as node:zlib's own synchronous path drives it
// (node:zlib internals, hence the checks):
// - each block starts with a reset of the context (inflateReset, ZSTD_DCtx_reset: both keep the
//   context's memory), so a block that stopped half way cannot leak into the next;
// - the output never grows past the caller's limit plus one byte;
// - a native error (a corrupt or truncated block) destroys the stream: the destroyed handle is never
//   written again (that aborts the process), and a new stream is made for the next block.
// Whenever this path does not finish a block cleanly it returns undefined, and the caller
// decompresses that block the public way, which decides, as it always did, whether the block is
// good, too large or corrupt, and with which message.
import zlib from 'node:zlib';
import { reusedRoom, type Room } from './room.ts';
import type { ZstdEngine, ZstdHandle } from './zstd.ts';

/** The parts of a node:zlib decompression stream used here: a zstd or zlib engine, and its reset. */
interface Engine extends ZstdEngine {
  reset(): void;
}

type Sync = (data: Uint8Array) => Buffer;

/** What it takes to keep one codec's context: its stream, the flush flag of the sync calls, a check. */
interface Kind {
  readonly create: (() => Engine) | undefined;
  readonly end: number | undefined;
  readonly compress: Sync | undefined;
  readonly decompress: Sync | undefined;
}

type Zlib = Record<string, unknown> & { constants: Record<string, number> };
const z = zlib as unknown as Zlib;
const fn = <T>(name: string): T | undefined => (typeof z[name] === 'function' ? (z[name] as T) : undefined);

export type KeptCodec = 'deflate' | 'zstandard';

const KINDS: Readonly<Record<KeptCodec, Kind>> = {
  deflate: { create: fn('createInflateRaw'), end: z.constants['Z_FINISH'], compress: fn('deflateRawSync'), decompress: fn('inflateRawSync') },
  zstandard: { create: fn('createZstdDecompress'), end: z.constants['ZSTD_e_end'], compress: fn('zstdCompressSync'), decompress: fn('zstdDecompressSync') },
};

/** The first output room for a block with no size hint: a data file's usual block, 64 KB. */
const FIRST_ROOM = 64 * 1024;
/** Room beyond the hint, so that a block of the previous block's size fits without a second step. */
const HINT_SLACK = 1024;

interface Kept {
  readonly engine: Engine;
  readonly handle: ZstdHandle;
  readonly state: Uint32Array;
  readonly end: number;
}

/** True while the engine may be written: not destroyed, its handle the one kept. */
function usable(k: Kept): boolean {
  return k.engine.destroyed !== true && k.engine._handle === k.handle;
}

/**
 * How a block went: its data; or `native` (the stream was destroyed: a new one next time), `judge`
 * (the public path is to decide this block: over the limit, input left after the end), `shape`
 * (the internals answered out of range: not used again).
 */
type Outcome = { readonly data: Buffer } | { readonly failed: 'native' | 'judge' | 'shape' };

function decompressWith(k: Kept, data: Uint8Array, maxBytes: number, room: Room, sizeHint: number | undefined): Outcome {
  const { handle, state, end } = k;
  if (!usable(k)) return { failed: 'native' };
  k.engine.reset();
  const cap = maxBytes + 1;
  let want = Math.min(sizeHint !== undefined ? sizeHint + HINT_SLACK : Math.max(FIRST_ROOM, data.length * 4), cap);
  let out = room(want);
  let inPos = 0;
  let outPos = 0;
  for (;;) {
    const space = out.length - outPos;
    state[0] = 0xffffffff;
    state[1] = 0xffffffff;
    handle.writeSync(end, data, inPos, data.length - inPos, out, outPos, space);
    // A native error is reported by destroying the stream (zlib's onerror), not by a throw.
    if (!usable(k)) return { failed: 'native' };
    const outLeft = state[0] as number;
    const inLeft = state[1] as number;
    if (outLeft > space || inLeft > data.length - inPos) return { failed: 'shape' };
    inPos = data.length - inLeft;
    outPos += space - outLeft;
    if (outPos > maxBytes) return { failed: 'judge' };
    // Room left in the output: the stream has ended (node:zlib's own loop stops on the same sign).
    if (outLeft !== 0) return inLeft === 0 ? { data: out.subarray(0, outPos) } : { failed: 'judge' };
    want = Math.min(out.length * 2, cap);
    const bigger = room(want);
    if (bigger.length < want || bigger.buffer === out.buffer) return { failed: 'shape' };
    out.copy(bigger, 0, 0, outPos);
    out = bigger;
  }
}

function keptEngine(kind: Kind): Kept | undefined {
  const { create, end } = kind;
  if (create === undefined || end === undefined) return undefined;
  try {
    const engine = create();
    // A failing step destroys the stream, which emits 'error': heard here, not thrown at the process.
    engine.on('error', () => {});
    const handle = engine._handle;
    const state = engine._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || typeof engine.reset !== 'function' || !(state instanceof Uint32Array) || state.length < 2) return undefined;
    return { engine, handle, state, end };
  } catch {
    return undefined;
  }
}

/** A kept engine passes when two blocks in a row come out as the public call gives them. */
function probe(kind: Kind, k: Kept): boolean {
  const { compress, decompress } = kind;
  if (compress === undefined || decompress === undefined) return false;
  const input = Buffer.from('avro data file block probe: '.repeat(40) + 'decompression context reuse check', 'latin1');
  const room = reusedRoom();
  for (const part of [input, input.subarray(7, 500)]) {
    const block = compress(part);
    const outcome = decompressWith(k, block, part.length, room, undefined);
    if (!('data' in outcome) || !outcome.data.equals(decompress(block))) return false;
  }
  return true;
}

/** Per codec, the context in use; a codec is absent until its first block and after a bad block. */
const kept = new Map<KeptCodec, Kept>();
/** Codecs whose context is not usable on this Node (the probe failed, or the internals misbehaved). */
const unusable = new Set<KeptCodec>();

function current(codec: KeptCodec): Kept | undefined {
  if (unusable.has(codec)) return undefined;
  let k = kept.get(codec);
  if (k === undefined) {
    const kind = KINDS[codec];
    k = keptEngine(kind);
    if (k === undefined || !probe(kind, k)) {
      unusable.add(codec);
      return undefined;
    }
    kept.set(codec, k);
  }
  return k;
}

/**
 * One block decompressed into memory from `room` (the caller's reused buffer: the result is a view
 * of it, or of a larger buffer room gave), or undefined when this block must go the public way
 * instead (no kept context, a corrupt block, output beyond maxBytes, input left after the end).
 */
export function keptDecompress(codec: KeptCodec, data: Uint8Array, maxBytes: number, room: Room, sizeHint?: number): Buffer | undefined {
  const k = current(codec);
  if (k === undefined) return undefined;
  let outcome: Outcome;
  try {
    outcome = decompressWith(k, data, maxBytes, room, sizeHint);
  } catch {
    outcome = { failed: 'shape' };
  }
  if ('data' in outcome) return outcome.data;
  if (outcome.failed === 'native') kept.delete(codec);
  else if (outcome.failed === 'shape') unusable.add(codec);
  return undefined;
}

/** For tests: whether this codec's blocks go through a kept context. */
export function keptDecompressionWorks(codec: KeptCodec): boolean {
  return current(codec) !== undefined;
}
