// Size limits applied to everything read from the network, so that a hostile or broken peer
// cannot make us allocate without bound. The defaults follow Java's Avro and Thrift receivers.
export interface Limits {
  /** Largest single frame (bytes); Java's default is 16,384,000. */
  readonly maxFrameBytes: number;
  /** Largest whole message, all frames together. */
  readonly maxMessageBytes: number;
  /** Largest number of buffers in one Netty pack. */
  readonly maxNettyBuffers: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameBytes: 16_384_000,
  maxMessageBytes: 100 * 1024 * 1024,
  maxNettyBuffers: 10_000,
};

/** Bad bytes on the wire: the connection that sent them is closed, others carry on. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}
