// Zstandard compression of data-file blocks with one compression context for the whole process.
//
// node:zlib's only synchronous entry, zstdCompressSync, builds a new ZSTD context per call and
// frees it at the end, and setting one up costs about as much as compressing a 64 KB block: its
// match tables are allocated again (fresh pages from the kernel, faulted in and zeroed: system
// time) and cleared. Measured on a 64 KB block of the bench's records, CPU per call: 200-650 µs
// with a new context (150-430 µs of it system time), 130-190 µs (system time ~0-30 µs) with one
// context compressing block after block (impls/avro-datafile/profile/README.md, "Issue 15,
// part 2"). Java's writer (avro's ZstandardCodec) also opens a new zstd-jni stream per block.
//
// So one ZstdCompress object is kept and driven synchronously through its native handle, as
// node:zlib's own synchronous path drives it (one writeSync per step with ZSTD_e_end, the
// remaining input and output space read back from its write state), only without closing it at the
// end. A finished frame leaves the context ready for the next frame, and each frame is made with
// the parameters zstd picks for its input size, the same as a fresh context's: the bytes equal
// zstdCompressSync's (checked once on a probe before the context is trusted, and by the unit
// tests on many sizes). Those are Node internals (_handle, _writeState), so every step is checked
// and anything unexpected falls back to zstdCompressSync for good.
import zlib from 'node:zlib';

/** node:zlib's native zstd handle, compressing or decompressing (internal, hence every check). */
export interface ZstdHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

/** The parts of node:zlib's ZstdCompress and ZstdDecompress objects used here (internal, hence every check). */
export interface ZstdEngine {
  _handle?: ZstdHandle | null;
  _writeState?: Uint32Array;
  destroyed?: boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

type ZstdZlib = {
  zstdCompressSync?: (data: Uint8Array) => Buffer;
  createZstdCompress?: () => ZstdEngine;
  constants: Record<string, number>;
};
const zstd = zlib as unknown as ZstdZlib;

/** zstd's ZSTD_COMPRESSBOUND: the most a frame of n bytes can take, plus room for the header. */
function compressBound(n: number): number {
  return n + (n >>> 8) + (n < 131072 ? (131072 - n) >>> 11 : 0) + 64;
}

class StepFailed extends Error {}

/** The output room offered per step: node:zlib's default chunk size, which zstdCompressSync uses. */
const STEP = (zlib.constants as Record<string, number>)['Z_DEFAULT_CHUNK'] ?? 16 * 1024;

/**
 * One zstd frame of data from the kept context into out (from its start; replaced by a larger
 * buffer, the bytes so far copied, when full). Throws StepFailed when the engine misbehaves.
 */
function compressWith(engine: ZstdEngine, handle: ZstdHandle, state: Uint32Array, end: number, data: Uint8Array, out: Buffer): Written {
  let inPos = 0;
  let outPos = 0;
  for (;;) {
    state[0] = 0xffffffff;
    state[1] = 0xffffffff;
    // At most STEP bytes of room per step, as zstdCompressSync offers (its chunk size): zstd
    // takes a one-pass shortcut when the room covers the bound of the input left, and that pass
    // can choose other matches than the buffered one in frames above 128 KiB. Same steps, same bytes.
    const room = Math.min(STEP, out.length - outPos);
    handle.writeSync(end, data, inPos, data.length - inPos, out, outPos, room);
    // A native error is reported by destroying the stream (zlib's onerror), not by a throw.
    if (engine.destroyed || engine._handle !== handle) throw new StepFailed('zstd context failed');
    const outLeft = state[0] as number;
    const inLeft = state[1] as number;
    if (outLeft > room || inLeft > data.length - inPos) throw new StepFailed('zstd write state out of range');
    inPos = data.length - inLeft;
    outPos += room - outLeft;
    // Room left in the output: the frame is complete (node:zlib's own loop stops on the same sign).
    if (outLeft !== 0) {
      if (inLeft !== 0) throw new StepFailed('zstd stopped before the end of its input');
      return { out, end: outPos };
    }
    if (outPos === out.length) {
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger, 0, 0, outPos);
      out = bigger;
    }
  }
}

interface Written {
  readonly out: Buffer;
  readonly end: number;
}

type Compress = (data: Uint8Array, out: Buffer) => Written;

/** The kept context's compressor, or undefined when this Node's internals are not as expected. */
function reusedContext(): Compress | undefined {
  const create = zstd.createZstdCompress;
  const end = zstd.constants['ZSTD_e_end'];
  const fresh = zstd.zstdCompressSync;
  if (typeof create !== 'function' || typeof end !== 'number' || typeof fresh !== 'function') return undefined;
  try {
    const engine = create();
    // A failing step destroys the stream, which emits 'error': heard here, not thrown at the process.
    engine.on('error', () => {});
    const handle = engine._handle;
    const state = engine._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) return undefined;
    const compress: Compress = (data, out) => compressWith(engine, handle, state, end, data, out);
    // Trusted only if two frames in a row come out as zstdCompressSync's.
    const probe = Buffer.from('avro data file block probe: '.repeat(40) + 'zstd context reuse check', 'latin1');
    for (const input of [probe, probe.subarray(7, 500)]) {
      const { out, end: length } = compress(input, Buffer.allocUnsafe(compressBound(input.length)));
      if (!out.subarray(0, length).equals(fresh(input))) return undefined;
    }
    return compress;
  } catch {
    return undefined;
  }
}

let reused: Compress | undefined | null = null;

function kept(): Compress | undefined {
  if (reused === null) reused = reusedContext();
  return reused;
}

/** data through the kept context into out, or undefined when the context is (or just got) dropped. */
function throughKept(data: Uint8Array, out: Buffer): Written | undefined {
  const compress = kept();
  if (compress === undefined) return undefined;
  try {
    return compress(data, out);
  } catch {
    // Whatever went wrong (StepFailed, or an internal that changed shape), the context is
    // dropped and this block and all later ones go the public way, which throws if zstd does.
    reused = undefined;
    return undefined;
  }
}

function freshFrame(data: Uint8Array): Buffer {
  const fresh = zstd.zstdCompressSync;
  if (!fresh) throw new Error('zstandard needs a Node.js with zlib zstd support');
  return fresh(data);
}

/**
 * Compresses one block into one zstd frame (level 3, zstd's default; no checksum), in a buffer of
 * its own. outputGuess (tests) sizes the first output buffer, by default zstd's bound for the
 * input, which always fits.
 */
export function zstdCompress(data: Uint8Array, outputGuess = compressBound(data.length)): Buffer {
  const written = throughKept(data, Buffer.allocUnsafe(Math.max(outputGuess, 16)));
  return written ? written.out.subarray(0, written.end) : freshFrame(data);
}

// The output buffer of zstdCompressShared, kept between calls: a new one per block cost 3-4% of
// a zstandard write (allocation outside Node's pool, and collection). Frames above SHARED_MAX get
// a buffer of their own, so that one huge block does not keep its memory for the process's life.
const SHARED_MAX = 4 * 1024 * 1024;
let shared = Buffer.allocUnsafe(0);

/**
 * As zstdCompress, but the frame is written into a buffer this module reuses: the result is valid
 * only until the next call (the data-file writer writes it out at once).
 */
export function zstdCompressShared(data: Uint8Array): Buffer {
  const bound = compressBound(data.length);
  if (bound > SHARED_MAX) return zstdCompress(data);
  if (shared.length < bound) shared = Buffer.allocUnsafe(Math.max(bound, 80 * 1024));
  const written = throughKept(data, shared);
  if (!written) return freshFrame(data);
  return written.out.subarray(0, written.end);
}

/** For tests: whether blocks go through the kept context (false: zstdCompressSync per block). */
export function zstdReusesContext(): boolean {
  return kept() !== undefined;
}
