// Wire recording, shared by every transport of ours (Avro and Thrift, client and server side):
// the bytes a transport wrote to and read from the network, so that a failing conformance case
// can show them as a hex dump (what one would otherwise need Wireshark for).
//
// Socket transports record what they write and read on the socket, framing included; HTTP
// transports record the request and response bodies (the headers are node's business).

import { monotonicMs } from './monotonic-clock.ts';

/** Told about every chunk of bytes a transport sends or receives. Must not keep the caller waiting. */
export interface WireRecorder {
  sent(bytes: Buffer): void;
  received(bytes: Buffer): void;
}

/** A server asks for one recorder per accepted connection (or HTTP exchange). */
export interface ConnectionRecorders {
  connection(peer: string): WireRecorder;
}

/** Keeps the first keepBytes of each direction and counts the rest: bounded memory, exact totals. */
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
    if (this.outBytes < this.keepBytes) this.out.push(Buffer.from(bytes.subarray(0, this.keepBytes - this.outBytes)));
    this.outBytes += bytes.length;
  }

  received(bytes: Buffer): void {
    if (this.inBytes < this.keepBytes) this.in.push(Buffer.from(bytes.subarray(0, this.keepBytes - this.inBytes)));
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

interface Chunk {
  readonly at: number;
  readonly connection: number;
  readonly direction: 'sent' | 'received';
  /** The chunk's first keepPerChunk bytes (all of it when shorter). */
  readonly bytes: Buffer;
  /** The chunk's length as it came. */
  readonly length: number;
}

/** The bytes of one connection within a time window, for a report. */
export interface ConnectionBytes {
  readonly connection: number;
  readonly peer: string;
  /** The window's first bytes in this direction, up to the first chunk that was cut (see keepPerChunk). */
  readonly sent: Buffer;
  readonly received: Buffer;
  /** Every byte of the window in this direction, kept or not. */
  readonly sentTotal: number;
  readonly receivedTotal: number;
}

export interface ServerWireLogOptions {
  /** Bytes kept over all connections; later chunks are only counted (see dropped). */
  readonly maxBytes?: number;
  /**
   * Bytes kept of each chunk. A report shows the first few KB of a window, and the first N bytes
   * of any window come from chunks' first N bytes: keeping more only holds memory. (A cell of 1 MiB
   * cases kept megabytes per cell until its slice file ended: 6.5 GB in one worker of the release
   * grid.)
   */
  readonly keepPerChunk?: number;
  /** Stamps chunks (default: the monotonic clock the peers' case instants are read on). */
  readonly clock?: () => number;
}

/** A ServerWireLog's content as plain data (structured-clonable). */
export interface ServerWireLogSnapshot {
  readonly peers: readonly string[];
  readonly chunks: readonly Chunk[];
  readonly kept: number;
  readonly dropped: number;
}

/**
 * A server's time-stamped record of every connection it accepted, so that the bytes of one case
 * can be cut out afterwards by the case's start and end times. Bounded twice: each chunk keeps
 * its first keepPerChunk bytes, and once maxBytes are kept, later chunks are only counted.
 */
export class ServerWireLog implements ConnectionRecorders {
  private readonly chunks: Chunk[] = [];
  private readonly peers: string[] = [];
  private kept = 0;
  private droppedBytes = 0;

  private readonly maxBytes: number;
  private readonly keepPerChunk: number;
  private readonly clock: () => number;

  constructor(options: ServerWireLogOptions = {}) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.keepPerChunk = options.keepPerChunk ?? Number.POSITIVE_INFINITY;
    this.clock = options.clock ?? monotonicMs;
  }

  connection(peer: string): WireRecorder {
    const id = this.peers.push(peer);
    const add = (direction: Chunk['direction'], bytes: Buffer): void => {
      const keep = Math.min(bytes.length, this.keepPerChunk);
      if (this.kept + keep > this.maxBytes) {
        this.droppedBytes += bytes.length;
        return;
      }
      this.kept += keep;
      this.chunks.push({ at: this.clock(), connection: id, direction, bytes: Buffer.from(bytes.subarray(0, keep)), length: bytes.length });
    };
    return { sent: (bytes) => add('sent', bytes), received: (bytes) => add('received', bytes) };
  }

  /** Bytes that arrived after maxBytes were reached and are not in the log. */
  get dropped(): number {
    return this.droppedBytes;
  }

  /** Everything kept, as plain data: the log of a server that ran in another process crosses to the test worker this way. */
  snapshot(): ServerWireLogSnapshot {
    return { peers: [...this.peers], chunks: [...this.chunks], kept: this.kept, dropped: this.droppedBytes };
  }

  /** A log holding what a snapshot holds (the bounds were applied where it was recorded). */
  static fromSnapshot(snapshot: ServerWireLogSnapshot): ServerWireLog {
    const log = new ServerWireLog();
    log.peers.push(...snapshot.peers);
    // Buffers may cross a process boundary as plain Uint8Arrays.
    for (const c of snapshot.chunks) log.chunks.push({ ...c, bytes: Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength) });
    log.kept = snapshot.kept;
    log.droppedBytes = snapshot.dropped;
    return log;
  }

  /** Every connection's bytes recorded at or after fromMs and before toMs, in connection order. */
  between(fromMs: number, toMs: number): ConnectionBytes[] {
    const byConnection = new Map<number, Record<Chunk['direction'], { parts: Buffer[]; total: number; cut: boolean }>>();
    for (const chunk of this.chunks) {
      if (chunk.at < fromMs || chunk.at >= toMs) continue;
      let entry = byConnection.get(chunk.connection);
      if (!entry) {
        entry = { sent: { parts: [], total: 0, cut: false }, received: { parts: [], total: 0, cut: false } };
        byConnection.set(chunk.connection, entry);
      }
      const side = entry[chunk.direction];
      side.total += chunk.length;
      // After a cut chunk the kept bytes are no longer contiguous: the prefix ends there.
      if (side.cut) continue;
      side.parts.push(chunk.bytes);
      side.cut = chunk.bytes.length < chunk.length;
    }
    return [...byConnection.entries()].map(([connection, entry]) => ({
      connection, peer: this.peers[connection - 1] ?? '?',
      sent: Buffer.concat(entry.sent.parts), received: Buffer.concat(entry.received.parts),
      sentTotal: entry.sent.total, receivedTotal: entry.received.total,
    }));
  }
}

/** One recorder that tells several (e.g. the harness's case dump and a procedure's own check). */
export function teeRecorder(...recorders: readonly WireRecorder[]): WireRecorder {
  return {
    sent: (bytes) => { for (const r of recorders) r.sent(bytes); },
    received: (bytes) => { for (const r of recorders) r.received(bytes); },
  };
}

/**
 * Records a stream we do not own the code of (avsc's channels): every chunk written to it and
 * read from it. Wraps write() and adds a 'data' listener; the stream's own readers are unaffected.
 */
export function recordStream(stream: NodeJS.ReadWriteStream | NodeJS.WritableStream, recorder: WireRecorder): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  (stream as { write: (chunk: unknown, ...rest: unknown[]) => boolean }).write = (chunk, ...rest) => {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) recorder.sent(Buffer.from(chunk));
    return write(chunk, ...rest);
  };
  if ('on' in stream && 'read' in stream) {
    stream.on('data', (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) recorder.received(Buffer.from(chunk));
    });
  }
}
