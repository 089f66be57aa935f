// Avro's variable-length zig-zag longs, for the container format's own fields (metadata counts,
// block counts and sizes). Record data is encoded by encoder.ts (or avsc); these are only the framing numbers.

/** Appends the zig-zag varint of n (a safe integer) to out. */
export function writeLong(out: number[], n: number): void {
  let z = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n));
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
}

export function longBytes(n: number): Buffer {
  const out: number[] = [];
  writeLong(out, n);
  return Buffer.from(out);
}

/** The result of decoding a long: its value, or why there is none. */
export type LongRead = { ok: true; value: bigint; length: number } | { ok: false; reason: 'end' | 'overlong' };

/** Decodes a zig-zag varint at pos (at most 10 bytes). */
export function readLongAt(buf: Uint8Array, pos: number, end = buf.length): LongRead {
  let z = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) return { ok: false, reason: 'end' };
    const byte = buf[pos + i] as number;
    z |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      const value = BigInt.asIntN(64, (z >> 1n) ^ -(z & 1n));
      return { ok: true, value, length: i + 1 };
    }
    shift += 7n;
  }
  return { ok: false, reason: 'overlong' };
}
