// The block codecs of the Avro specification: null, deflate (raw RFC 1951, no zlib header),
// snappy (raw snappy followed by the big-endian CRC32 of the uncompressed data) and zstandard.
// Every decompressor takes a limit on the uncompressed size and refuses beyond it.
import zlib from 'node:zlib';
import { DataFileError } from './errors.ts';
import type { Room } from './room.ts';
import { snappyCompressInto, snappyCompressShared, snappyDecompress } from './snappy.ts';
import { zstdCompress, zstdCompressShared } from './zstd.ts';
import { keptDecompress } from './kept-decompress.ts';

export interface Codec {
  readonly name: string;
  compress(data: Buffer): Buffer;
  /**
   * As compress, but the result may lie in memory the codec reuses: valid only until the codec's
   * next call. The writer, which writes each block out at once, uses it where a codec has it.
   */
  compressTransient?(data: Buffer): Buffer;
  /**
   * Decompresses one block; maxBytes bounds the uncompressed size. sizeHint, when given, is a
   * guess of it (the reader passes the previous block's) that a codec may size its output by.
   */
  decompress(data: Buffer, maxBytes: number, sizeHint?: number): Buffer;
  /**
   * As decompress, but the output may be written into memory from `room` (the reader's buffer,
   * reused block after block): valid only until the reader's next block.
   */
  decompressInto?(data: Buffer, maxBytes: number, room: Room, sizeHint?: number): Buffer;
}

// zlib's sync calls write their output in chunks of 16 KiB and concatenate them: a 64 KB block
// (Avro's usual) took five allocations and a copy, and about 35% longer to inflate or zstd-decode
// than with one chunk that fits it (measured on a block of the bench's records). The chunk is
// sized by the hint with room to spare, as a chunk filled exactly makes zlib allocate one more.
const CHUNK_SLACK = 1024;
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;

function chunkFor(sizeHint: number | undefined, maxBytes: number): { chunkSize?: number } {
  if (sizeHint === undefined || !Number.isFinite(sizeHint)) return {};
  return { chunkSize: Math.min(Math.max(sizeHint + CHUNK_SLACK, MIN_CHUNK), MAX_CHUNK, Math.max(maxBytes, 0) + CHUNK_SLACK) };
}

function bounded<T>(codec: string, maxBytes: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || (error instanceof RangeError && /maxOutputLength|too large/i.test(error.message))) {
      throw new DataFileError('limit', `${codec} block inflates beyond the limit of ${maxBytes} bytes`, { cause: error });
    }
    throw new DataFileError('codec', `${codec} block does not decompress: ${(error as Error).message}`, { cause: error });
  }
}

const nullCodec: Codec = {
  name: 'null',
  compress: (data) => data,
  decompress: (data) => data,
};

const deflateCodec: Codec = {
  name: 'deflate',
  compress: (data) => zlib.deflateRawSync(data),
  decompress: (data, maxBytes, sizeHint) => inflateFresh(data, maxBytes, sizeHint),
  // As zstandard's below: one kept context, the reader's buffer, the public way to judge a bad block.
  decompressInto: (data, maxBytes, room, sizeHint) => keptDecompress('deflate', data, maxBytes, room, sizeHint) ?? inflateFresh(data, maxBytes, sizeHint),
};

function inflateFresh(data: Buffer, maxBytes: number, sizeHint: number | undefined): Buffer {
  return bounded('deflate', maxBytes, () => zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes), ...chunkFor(sizeHint, maxBytes) }));
}

const snappyCodec: Codec = {
  name: 'snappy',
  compress: (data) => withCrc(data, snappyCompressInto(data, 4)),
  // Into snappy.ts's reused output buffer: no allocation per block.
  compressTransient: (data) => withCrc(data, snappyCompressShared(data, 4)),
  decompress: (data, maxBytes) => snappyChecked(data, maxBytes),
  // Into the reader's reused buffer: no allocation per block.
  decompressInto: (data, maxBytes, room) => snappyChecked(data, maxBytes, room),
};

/** A snappy block's data, its CRC32 checked. */
function snappyChecked(data: Buffer, maxBytes: number, room?: Room): Buffer {
  if (data.length < 4) throw new DataFileError('codec', `snappy block of ${data.length} bytes has no room for its CRC32`);
  const body = data.subarray(0, data.length - 4);
  const expected = data.readUInt32BE(data.length - 4);
  let out: Buffer;
  try {
    out = snappyDecompress(body, maxBytes, room);
  } catch (error) {
    const limit = /limit/.test((error as Error).message);
    throw new DataFileError(limit ? 'limit' : 'codec', (error as Error).message, { cause: error });
  }
  const actual = zlib.crc32(out);
  if (actual !== expected) {
    throw new DataFileError('codec', `snappy block checksum mismatch: CRC32 ${hex32(actual)} of the data, ${hex32(expected)} in the file`);
  }
  return out;
}

/** The block followed by the CRC32 of the uncompressed data, in the room left after it (no copy). */
function withCrc(data: Buffer, { out, end }: { out: Buffer; end: number }): Buffer {
  out.writeUInt32BE(zlib.crc32(data), end);
  return out.subarray(0, end + 4);
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

type ZstdZlib = {
  zstdCompressSync?: (data: Buffer) => Buffer;
  zstdDecompressSync?: (data: Buffer, options: { maxOutputLength: number; chunkSize?: number }) => Buffer;
};
const zstd = zlib as unknown as ZstdZlib;

/** Node's built-in zstd (node:zlib, Node >= 22.15 / 23.8); absent on older Node. */
export const ZSTD_AVAILABLE = typeof zstd.zstdCompressSync === 'function' && typeof zstd.zstdDecompressSync === 'function';

const zstandardCodec: Codec = {
  name: 'zstandard',
  compress: (data) => {
    if (!zstd.zstdCompressSync) throw new DataFileError('unknown-codec', 'zstandard needs a Node.js with zlib zstd support');
    // One compression context kept for all blocks (zstd.ts): a new one per block cost more CPU
    // than the compression itself.
    return zstdCompress(data);
  },
  compressTransient: (data) => {
    if (!zstd.zstdCompressSync) throw new DataFileError('unknown-codec', 'zstandard needs a Node.js with zlib zstd support');
    return zstdCompressShared(data);
  },
  decompress: (data, maxBytes, sizeHint) => zstdFresh(data, maxBytes, sizeHint),
  // One decompression context kept for all blocks, into the reader's reused buffer
  // (kept-decompress.ts); a block it does not finish cleanly goes the public way, which judges it.
  decompressInto: (data, maxBytes, room, sizeHint) => keptDecompress('zstandard', data, maxBytes, room, sizeHint) ?? zstdFresh(data, maxBytes, sizeHint),
};

function zstdFresh(data: Buffer, maxBytes: number, sizeHint: number | undefined): Buffer {
  const decompress = zstd.zstdDecompressSync;
  if (!decompress) throw new DataFileError('unknown-codec', 'zstandard needs a Node.js with zlib zstd support');
  return bounded('zstandard', maxBytes, () => decompress(data, { maxOutputLength: Math.max(1, maxBytes), ...chunkFor(sizeHint, maxBytes) }));
}

export const CODECS: Readonly<Record<string, Codec>> = Object.freeze({
  null: nullCodec,
  deflate: deflateCodec,
  snappy: snappyCodec,
  ...(ZSTD_AVAILABLE ? { zstandard: zstandardCodec } : {}),
});

export function codecNamed(name: string, codecs: Readonly<Record<string, Codec>> = CODECS): Codec {
  const codec = Object.hasOwn(codecs, name) ? codecs[name] : undefined;
  if (!codec) throw new DataFileError('unknown-codec', `codec "${name}" is not supported (known: ${Object.keys(codecs).join(', ')})`);
  return codec;
}
