// Limits. Every size a peer declares (frame, header, string, binary, container, message) is checked
// against these and against the bytes actually present BEFORE anything is allocated or looped over,
// so a hostile length ends that one message or connection with a clear error.

export interface Limits {
  /** Largest frame (framed and header transports). Java's and Python's default: 16,384,000 bytes. */
  readonly maxFrameSize: number;
  /** Largest message: a buffered stream, an HTTP body, a decompressed header payload. */
  readonly maxMessageSize: number;
  /** Longest string or binary a message may declare. */
  readonly maxStringLength: number;
  /** Most elements a list, set or map may declare. */
  readonly maxContainerLength: number;
  /** Deepest nesting of structs and containers (Java's default recursion limit is 64). */
  readonly maxDepth: number;
  /** Server: a connection with no traffic and nothing in progress for this long is closed. */
  readonly idleTimeoutMs: number;
  /** Server: a message whose first byte arrived must be complete within this long. */
  readonly readTimeoutMs: number;
  /** Server: most connections served at once; more are closed at once with a logged reason. */
  readonly maxConnections: number;
  /** Server: most decoded requests waiting on one connection before it stops being read. */
  readonly maxQueuedRequests: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameSize: 16_384_000,
  maxMessageSize: 100 * 1024 * 1024,
  maxStringLength: 100 * 1024 * 1024,
  maxContainerLength: 16 * 1024 * 1024,
  maxDepth: 64,
  idleTimeoutMs: 60_000,
  readTimeoutMs: 30_000,
  maxConnections: 1024,
  maxQueuedRequests: 16,
};

export function resolveLimits(partial: Partial<Limits> | undefined): Limits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`limit ${name} must be a positive integer, got ${String(value)}`);
  }
  return limits;
}
