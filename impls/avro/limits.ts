// Limits applied to everything read from the network, so that a hostile or broken peer cannot
// make us allocate, loop or wait without bound. The size defaults follow Java's Avro receivers.
export interface Limits {
  /** Largest single frame (bytes); Java's default is 16,384,000. */
  readonly maxFrameBytes: number;
  /** Largest whole message, all frames together. */
  readonly maxMessageBytes: number;
  /** Largest number of buffers in one Netty pack. */
  readonly maxNettyBuffers: number;
  /**
   * Array items and map entries one message may declare, all collections together. Items of
   * most types take at least a byte on the wire, so the bytes present bound them too; items of
   * zero-byte types (null, empty records, zero-size fixed) take none, and only this count
   * bounds them. It also bounds how far a message can expand in memory when decoded.
   */
  readonly maxCollectionItems: number;
  /** Peer protocols kept in the handshake cache (least recently used go first). */
  readonly maxCachedProtocols: number;
  /** Total protocol text kept in the handshake cache, in UTF-16 code units. */
  readonly maxCachedProtocolChars: number;
  /** Server: a connection with no request in progress and no bytes arriving is closed after this. */
  readonly idleTimeoutMs: number;
  /** Server: once the first byte of a message arrived, the whole message must arrive within this. */
  readonly readTimeoutMs: number;
  /** Server: connections accepted at once; further ones are closed at once. */
  readonly maxConnections: number;
  /**
   * Server, stateful transports: requests of one connection being answered at once. Beyond it,
   * and while more than maxUnsentAnswerBytes wait to be written, the connection is not read.
   */
  readonly maxRequestsInFlight: number;
  /** Server: answer bytes waiting for a slow reader before we stop reading its connection. */
  readonly maxUnsentAnswerBytes: number;
  /** Empty frames tolerated after a message in an HTTP body (Java's HttpTransceiver sends a few). */
  readonly maxTrailingEmptyFrames: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxFrameBytes: 16_384_000,
  maxMessageBytes: 100 * 1024 * 1024,
  maxNettyBuffers: 65_536,
  maxCollectionItems: 10_000_000,
  maxCachedProtocols: 128,
  maxCachedProtocolChars: 32 * 1024 * 1024,
  idleTimeoutMs: 60_000,
  readTimeoutMs: 30_000,
  maxConnections: 1024,
  maxRequestsInFlight: 64,
  maxUnsentAnswerBytes: 1024 * 1024,
  maxTrailingEmptyFrames: 64,
});

/** Limits resolveLimits has made, and the defaults: complete, so given one it returns it as it is. */
const RESOLVED = new WeakSet<object>([DEFAULT_LIMITS]);

/**
 * The defaults with the given fields replaced. Decoders resolve the limits they are given, and an
 * HTTP server makes two per request: copying every field again there cost ~0.7 µs a request.
 */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  if (limits === undefined) return DEFAULT_LIMITS;
  if (RESOLVED.has(limits)) return limits as Limits;
  const resolved: Limits = Object.freeze({ ...DEFAULT_LIMITS, ...limits });
  RESOLVED.add(resolved);
  return resolved;
}

/** Bad bytes on the wire: the connection that sent them is closed, others carry on. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

/** A value on the wire declares more than the bytes present or the limits allow. */
export class LimitError extends Error {
  override readonly name = 'LimitError';
}
