// Structured clone (between threads) turns Buffers into plain Uint8Arrays, and avsc's bytes and
// fixed types take Buffers only: every value crossing the thread boundary goes through this.
export function revive(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: revive(inner), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
