// The seam between the RPC logic (client.ts, responder.ts) and the transports (http/, tcp/,
// netty/, sasl/): a client transport moves one request payload and brings back one response
// payload; framing is the transport's business.

export interface ClientTransport {
  /** Stateful transports handshake once per connection; stateless ones on every request. */
  readonly stateful: boolean;
  /**
   * Sends one request payload. Resolves with the response payload, or undefined when no response
   * is expected (a one-way message on an established stateful connection).
   */
  exchange(payload: Buffer, expectResponse: boolean): Promise<Buffer | undefined>;
  close(): Promise<void>;
}
