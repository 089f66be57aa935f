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

/** Records the bytes a transport sends and receives, for wire dumps in reports. */
export interface WireRecorder {
  sent(bytes: Buffer): void;
  received(bytes: Buffer): void;
}

/** Keeps the first bytes of each direction (enough for a failure report, bounded in memory). */
export class WireTrace implements WireRecorder {
  private readonly out: Buffer[] = [];
  private readonly in: Buffer[] = [];
  private outBytes = 0;
  private inBytes = 0;

  private readonly keepBytes: number;

  constructor(keepBytes = 64 * 1024) {
    this.keepBytes = keepBytes;
  }

  sent(bytes: Buffer): void {
    if (this.outBytes < this.keepBytes) this.out.push(bytes.subarray(0, this.keepBytes - this.outBytes));
    this.outBytes += bytes.length;
  }

  received(bytes: Buffer): void {
    if (this.inBytes < this.keepBytes) this.in.push(bytes.subarray(0, this.keepBytes - this.inBytes));
    this.inBytes += bytes.length;
  }

  get sentBytes(): Buffer {
    return Buffer.concat(this.out);
  }

  get receivedBytes(): Buffer {
    return Buffer.concat(this.in);
  }

  get totals(): { sent: number; received: number } {
    return { sent: this.outBytes, received: this.inBytes };
  }
}
