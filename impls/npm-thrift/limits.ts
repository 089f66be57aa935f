// Size limits: every length a peer sends is checked before anything is allocated or awaited, so a
// bad or hostile length ends that connection with a clear error instead of a hang or an OOM.
export interface Limits {
  /** Largest frame a framed transport accepts (Java's and npm's default: 16,384,000 bytes). */
  readonly maxFrameSize: number;
  /** Largest message a buffered socket or an HTTP body may grow to before it is complete. */
  readonly maxMessageSize: number;
  /** Longest string or binary a protocol may declare. */
  readonly maxStringLength: number;
  /** Most elements a list, set or map may declare. */
  readonly maxContainerLength: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameSize: 16_384_000,
  maxMessageSize: 100 * 1024 * 1024,
  maxStringLength: 16 * 1024 * 1024,
  maxContainerLength: 1_000_000,
};

/** A peer broke a limit or the protocol: the connection is closed with this message. */
export class LimitExceeded extends Error {
  override readonly name = 'LimitExceeded';
}
