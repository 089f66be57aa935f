// Freeing a received buffer's memory at once, instead of leaving it to the collector.
//
// Why: V8 (13.6, Node 24) counts ArrayBuffer memory allocated since the last full collection
// against the old generation's limit, and a dead one is given back only by the next scavenge. A
// server that gets a fresh 64 KiB buffer per read and per call can reach that limit between two
// scavenges and run a mark-compact every few hundred calls (impls/thrift/profile/README.md,
// twenty-first pass). Detaching an ArrayBuffer frees its memory and its count on the spot.

/**
 * Detaches the chunk's ArrayBuffer when the chunk is the whole of it. Only for a chunk its giver
 * keeps no reference to (net's reads, node:http's body pieces: each a copy of its own) and of which
 * the caller keeps no view; a buffer that cannot be detached is left to the collector.
 */
export function releaseNow(chunk: Buffer): void {
  // Only a chunk that is the whole of its ArrayBuffer: nothing else can be a view of it.
  if (chunk.byteOffset !== 0 || chunk.byteLength !== chunk.buffer.byteLength) return;
  try {
    (chunk.buffer as ArrayBuffer).transfer(0);
  } catch {
    // Not detachable (a buffer node shares or marked so): it stays for the collector.
  }
}
