// Output memory for decompressed blocks, reused block after block by one reader.
//
// A new 64 KB buffer per block (outside Node's small-buffer pool) was an allocation, a zero-free
// page-in and a collection per block for snappy and zstandard reads. The reader decodes a block
// completely, copying every bytes and fixed value, before it reads the next, so one buffer serves
// every block; each reader has its own, so readers used in turn never share memory.

/**
 * A buffer of at least `bytes` bytes for a block's output, from a caller that reuses it block after
 * block: its old contents are not kept, and it is valid until the caller's next block.
 */
export type Room = (bytes: number) => Buffer;

/** Blocks above this size get a buffer of their own, so that one huge block does not stay in memory. */
export const MAX_KEPT_ROOM = 4 * 1024 * 1024;

/** Room that keeps its largest buffer up to MAX_KEPT_ROOM. */
export function reusedRoom(): Room {
  let kept = Buffer.alloc(0);
  return (bytes) => {
    if (kept.length >= bytes) return kept;
    const fresh = Buffer.allocUnsafeSlow(bytes);
    if (bytes <= MAX_KEPT_ROOM) kept = fresh;
    return fresh;
  };
}
