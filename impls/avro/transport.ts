// The seam between the RPC logic (client.ts, responder.ts) and the transports (http/, socket/):
// a client transport moves one request payload and brings back one response payload; framing
// is the transport's business.

export interface ClientTransport {
  /** Stateful transports handshake once per connection; stateless ones on every request. */
  readonly stateful: boolean;
  /**
   * Sends one request payload, given whole or in parts (parts are framed without being copied).
   * Resolves with the response payload, or undefined when no response is expected (a one-way
   * message on an established stateful connection). `connection` (stateful transports): the
   * number connect() gave; the call fails instead of going out on another connection.
   */
  exchange(payload: Buffer | readonly Buffer[], expectResponse: boolean, connection?: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
  /**
   * Stateful transports: makes sure a connection is open, opening a new one when the peer closed
   * the last, and resolves with its number. A new number means a new connection, which needs a
   * handshake of its own. Transports without it have one connection for their lifetime.
   */
  connect?(): Promise<number>;
  /**
   * Stateful transports, without waiting: the number of the connection open now, or undefined
   * when none is (connect() then opens one). With it and timeoutMs an established call goes out
   * at once, with no promise to wait for first and no timer of the client's own.
   */
  openConnection?(): number | undefined;
  /** exchange() fails by itself when no answer came within this many milliseconds. */
  readonly timeoutMs?: number;
}
