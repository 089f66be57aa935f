// Kept-alive connections of our Avro HTTP client to one server: a request takes an idle
// connection (the most recently used) or opens a new one, and gives it back when its answer was
// complete and the server allows another request on it. Idle connections are bounded in number
// and time, do not keep the process alive, and are dropped as soon as the server closes them or
// sends anything.
//
// Reads go into one buffer of the pool's (net's `onread`), used again for every read of every
// connection, instead of net's new 64 KiB ArrayBuffer per read: against Jetty a 64 KiB answer
// came in 2-3 reads, a 1 MiB answer in ~30, and those allocations' external memory set off most
// of the client's collections (impls/avro/profile/README.md). The buffer can be shared: a read's
// bytes are handed to the connection's reader synchronously, before any other read, and are
// *borrowed*: whoever keeps any of them copies them (body.ts, the response parser).
import { connect, type Socket } from 'node:net';
import type { WireRecorder } from '../../wire/recorder.ts';
import { coalesce } from '../../wire/coalesce.ts';

/** node's global agent keeps free sockets 5 s; so do we. */
const IDLE_MS = 5_000;
const MAX_IDLE = 64;
/**
 * Bytes read at a time: twice net's own read size, so that a 64 KiB answer with its head and
 * framing can come in one read system call when it is all there.
 */
const READ_BUFFER_BYTES = 128 * 1024;

/** What a connection does with its reads (borrowed bytes): the exchange's reader, or the idle check. */
export type Reader = (chunk: Buffer) => void;

/** One kept-alive connection, reading into the buffer readBuffer() gives. */
export class Connection {
  readonly socket: Socket;
  /** Where reads go; set by whoever uses the connection. */
  reader: Reader | undefined;
  /**
   * While idle in the pool: ends its idle watch. A field, not a WeakMap of the pool's: a long-lived
   * collection with an entry added and removed per request allocates in V8's old generation
   * (wire/waiting.ts).
   */
  leaveIdle: (() => void) | undefined;
  /** performance.now() when it was given back to the pool. */
  idleSince = 0;

  constructor(host: string, port: number, readBuffer: () => Buffer) {
    const onread = {
      buffer: readBuffer,
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        this.reader?.(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
        return true;
      },
    };
    this.socket = connect({ host, port, onread });
    this.socket.setNoDelay(true);
  }
}

export class ConnectionPool {
  private readonly host: string;
  private readonly port: number;
  private readonly idle: Connection[] = [];
  private closed = false;
  /**
   * One timer drops the connections idle for IDLE_MS, the oldest first, and is armed again for the
   * next: a Timeout armed and cleared per request emptied node's 5 s timer list every time, which
   * allocated ~165 bytes in V8's old generation per request (wire/waiting.ts says why that costs).
   */
  private sweeper: NodeJS.Timeout | undefined;
  private shared: Buffer | undefined;
  /** The pool's read buffer, made at the first read. */
  private readonly readBuffer = (): Buffer => (this.shared ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));

  constructor(url: URL) {
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port || 80);
  }

  /** A connection for one request: an idle one, or a new one (connecting; writes wait for it). */
  take(): Connection {
    const connection = this.idle.pop();
    if (connection) {
      connection.leaveIdle?.();
      connection.socket.ref();
      return connection;
    }
    return new Connection(this.host, this.port, this.readBuffer);
  }

  /** Writes a request: the head, then the body parts, in one system call where the parts are small. */
  write(connection: Connection, head: Buffer, body: readonly Buffer[], recorder: WireRecorder | undefined): void {
    if (recorder) for (const part of body) recorder.sent(part);
    const socket = connection.socket;
    socket.cork();
    for (const buffer of coalesce([head, ...body])) socket.write(buffer);
    socket.uncork();
  }

  /** A connection whose exchange ended cleanly, for the next request. */
  give(connection: Connection): void {
    const socket = connection.socket;
    if (this.closed || socket.destroyed || !socket.writable || this.idle.length >= MAX_IDLE) {
      connection.reader = undefined;
      socket.destroy();
      return;
    }
    const drop = (): void => {
      cleanup();
      const at = this.idle.indexOf(connection);
      if (at >= 0) this.idle.splice(at, 1);
      socket.destroy();
    };
    const cleanup = (): void => {
      connection.reader = undefined;
      socket.off('end', drop);
      socket.off('close', drop);
      socket.off('error', drop);
      connection.leaveIdle = undefined;
    };
    // Anything the server sends to an idle connection: nothing asked for it.
    connection.reader = drop;
    socket.on('end', drop);
    socket.on('close', drop);
    socket.on('error', drop);
    connection.leaveIdle = cleanup;
    connection.idleSince = performance.now();
    socket.unref();
    this.idle.push(connection);
    this.sweeper ??= this.sweepIn(IDLE_MS);
  }

  private sweepIn(ms: number): NodeJS.Timeout {
    return setTimeout(this.sweep, ms).unref();
  }

  /** Given back in order and taken from the end, so the idle list's first is the longest idle. */
  private readonly sweep = (): void => {
    this.sweeper = undefined;
    const now = performance.now();
    for (let oldest = this.idle[0]; oldest; oldest = this.idle[0]) {
      const left = IDLE_MS - (now - oldest.idleSince);
      if (left > 0) {
        this.sweeper = this.sweepIn(Math.ceil(left));
        return;
      }
      this.idle.shift();
      oldest.leaveIdle?.();
      oldest.socket.destroy();
    }
  };

  /** Closes the idle connections; connections in use close when their exchange ends. */
  close(): void {
    this.closed = true;
    clearTimeout(this.sweeper);
    this.sweeper = undefined;
    for (const connection of this.idle.splice(0)) {
      connection.leaveIdle?.();
      connection.socket.destroy();
    }
  }
}
