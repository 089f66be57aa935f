// Deterministic block contents for codec tests: random bytes, runs, text with repeats, and a
// mixture, from a fixed-seed generator.

/** `length` bytes of sample `kind` (0 random, 1 runs, 2 text, 3 mixed), the same for the same seed. */
export function sample(kind: number, length: number, seed: number): Buffer {
  let state = seed >>> 0 || 1;
  const next = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    switch (kind % 4) {
      case 0: out[i] = next() >>> 24; break;
      case 1: out[i] = (i >> 9) & 0xff; break;
      case 2: out[i] = 'the quick brown fox jumps over the lazy dog '.charCodeAt(i % 44); break;
      default: out[i] = (i & 256) === 0 ? next() >>> 24 : 'avro'.charCodeAt(i & 3); break;
    }
  }
  return out;
}
