// Netty framing's decoder: packs whole whatever the reads' boundaries, joined in place when it may
// rewrite its chunks and the pack lies in one of them (our client's own reads), copied otherwise,
// and hostile headers refused before anything is allocated for them.
import { describe, expect, it } from 'vitest';
import { FramingError } from '../limits.ts';
import { encodeNetty, NettyFrameDecoder } from './netty.ts';

/** Pieces of 8 KiB as Java writes them, then the payload's bytes in order. */
function pack(serial: number, sizes: readonly number[], seed: number): { wire: Buffer; payload: Buffer } {
  const buffers = sizes.map((size, i) => Buffer.alloc(size, (seed + i) % 251));
  return { wire: encodeNetty(serial, buffers), payload: Buffer.concat(buffers) };
}

/** Copies `wire` into one "slab" and pushes it as consecutive views, cut at `cuts`. */
function pushInSlab(decoder: NettyFrameDecoder, wire: Buffer, cuts: readonly number[]): { slab: Buffer; payloads: Array<{ serial: number | undefined; payload: Buffer }> } {
  const slab = Buffer.alloc(wire.length + 16);
  wire.copy(slab, 8);
  const out: Array<{ serial: number | undefined; payload: Buffer }> = [];
  let at = 0;
  for (const cut of [...cuts.map((c) => Math.min(c, wire.length)), wire.length]) {
    if (cut > at) out.push(...decoder.push(slab.subarray(8 + at, 8 + cut)));
    at = Math.max(at, cut);
  }
  return { slab, payloads: out };
}

describe('Netty framing decoder', () => {
  it('joins a pack that spans many reads of one slab in place, at every split offset', () => {
    const { wire, payload } = pack(7, [10, 3, 9], 1);
    for (let a = 1; a < wire.length; a++) {
      for (const b of [a + 1, a + 5, wire.length - 1]) {
        const decoder = new NettyFrameDecoder(undefined, { rewriteChunks: true });
        const { slab, payloads } = pushInSlab(decoder, wire, [a, b]);
        expect(payloads).toHaveLength(1);
        expect(payloads[0]?.serial).toBe(7);
        expect(payloads[0]?.payload.equals(payload)).toBe(true);
        expect(payloads[0]?.payload.buffer).toBe(slab.buffer); // a view of the slab: no copy
        expect(decoder.pending).toBe(0);
      }
    }
  });

  it('joins a 1 MiB pack of 8 KiB buffers read in 64 KiB pieces in place', () => {
    const { wire, payload } = pack(3, Array.from({ length: 128 }, () => 8192), 5);
    const cuts = Array.from({ length: Math.floor(wire.length / 65_536) }, (_, i) => (i + 1) * 65_536);
    const decoder = new NettyFrameDecoder(undefined, { rewriteChunks: true });
    const { slab, payloads } = pushInSlab(decoder, wire, cuts);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.payload.equals(payload)).toBe(true);
    expect(payloads[0]?.payload.buffer).toBe(slab.buffer);
  });

  it('decodes several packs in one read, each intact after the next is joined', () => {
    const first = pack(1, [300, 200], 10);
    const second = pack(2, [5, 400, 7], 20);
    const third = pack(3, [1], 30);
    const wire = Buffer.concat([first.wire, second.wire, third.wire]);
    for (const cuts of [[], [first.wire.length + 3], [1, first.wire.length + second.wire.length + 2]]) {
      const decoder = new NettyFrameDecoder(undefined, { rewriteChunks: true });
      const { payloads } = pushInSlab(decoder, wire, cuts);
      expect(payloads.map((p) => p.serial)).toEqual([1, 2, 3]);
      expect(payloads[0]?.payload.equals(first.payload)).toBe(true);
      expect(payloads[1]?.payload.equals(second.payload)).toBe(true);
      expect(payloads[2]?.payload.equals(third.payload)).toBe(true);
    }
  });

  it('copies a pack whose buffers lie in different chunks, or with an empty buffer between them', () => {
    const { wire, payload } = pack(9, [100, 0, 50], 40);
    const decoder = new NettyFrameDecoder(undefined, { rewriteChunks: true });
    const { slab, payloads } = pushInSlab(decoder, wire, [30]);
    expect(payloads[0]?.payload.equals(payload)).toBe(true);
    expect(payloads[0]?.payload.buffer).not.toBe(slab.buffer); // the empty buffer's header lies between

    const spanning = pack(4, [100, 100], 50);
    const split = 8 + 4 + 100 + 2; // inside the second buffer's header
    const other = new NettyFrameDecoder(undefined, { rewriteChunks: true });
    const got = [...other.push(Buffer.from(spanning.wire.subarray(0, split))), ...other.push(Buffer.from(spanning.wire.subarray(split)))];
    expect(got[0]?.payload.equals(spanning.payload)).toBe(true);
  });

  it('leaves chunks it may not rewrite alone', () => {
    const { wire, payload } = pack(5, [20, 20], 60);
    const copy = Buffer.from(wire);
    const decoder = new NettyFrameDecoder();
    const [got] = decoder.push(copy);
    expect(got?.payload.equals(payload)).toBe(true);
    expect(copy.equals(wire)).toBe(true);
  });

  it('refuses hostile counts and lengths before allocating for them, rewriting or not', () => {
    const limits = { maxNettyBuffers: 4, maxFrameBytes: 1000, maxMessageBytes: 1500 };
    for (const rewriteChunks of [false, true]) {
      const header = (count: number): Buffer => Buffer.from([0, 0, 0, 1, ...[24, 16, 8, 0].map((s) => (count >>> s) & 0xff)]);
      expect(() => new NettyFrameDecoder(limits, { rewriteChunks }).push(header(5))).toThrow(FramingError);
      expect(() => new NettyFrameDecoder(limits, { rewriteChunks }).push(header(-1))).toThrow(/buffers/);
      const length = (n: number): Buffer => Buffer.from([24, 16, 8, 0].map((s) => (n >>> s) & 0xff));
      expect(() => new NettyFrameDecoder(limits, { rewriteChunks }).push(Buffer.concat([header(2), length(1001)]))).toThrow(/limit 1000/);
      expect(() => new NettyFrameDecoder(limits, { rewriteChunks }).push(Buffer.concat([header(2), length(0x80000000)]))).toThrow(FramingError);
      const big = new NettyFrameDecoder(limits, { rewriteChunks });
      expect(() => big.push(Buffer.concat([header(2), length(1000), Buffer.alloc(1000), length(600)]))).toThrow(/exceeds 1500/);
    }
  });
});
