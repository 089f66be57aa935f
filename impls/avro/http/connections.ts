// Kept-alive connections of our Avro HTTP client to one server: a request takes an idle socket
// (the most recently used) or opens a new one, and gives it back when its answer was complete and
// the server allows another request on it. Idle sockets are bounded in number and time, do not
// keep the process alive, and are dropped as soon as the server closes them or sends anything.
import { connect, type Socket } from 'node:net';
import type { WireRecorder } from '../../wire/recorder.ts';
import { coalesce } from '../../wire/coalesce.ts';

/** node's global agent keeps free sockets 5 s; so do we. */
const IDLE_MS = 5_000;
const MAX_IDLE = 64;

export class ConnectionPool {
  private readonly host: string;
  private readonly port: number;
  private readonly idle: Socket[] = [];
  private readonly dropIdle = new WeakMap<Socket, () => void>();
  private closed = false;

  constructor(url: URL) {
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port || 80);
  }

  /** A socket for one request: an idle one, or a new one (connecting; writes wait for it). */
  take(): Socket {
    const socket = this.idle.pop();
    if (socket) {
      this.dropIdle.get(socket)?.();
      socket.ref();
      return socket;
    }
    const fresh = connect({ host: this.host, port: this.port });
    fresh.setNoDelay(true);
    return fresh;
  }

  /** Writes a request: the head, then the body parts, in one system call where the parts are small. */
  write(socket: Socket, head: Buffer, body: readonly Buffer[], recorder: WireRecorder | undefined): void {
    if (recorder) for (const part of body) recorder.sent(part);
    socket.cork();
    for (const buffer of coalesce([head, ...body])) socket.write(buffer);
    socket.uncork();
  }

  /** A socket whose exchange ended cleanly, for the next request. */
  give(socket: Socket): void {
    if (this.closed || socket.destroyed || !socket.writable || this.idle.length >= MAX_IDLE) {
      socket.destroy();
      return;
    }
    const drop = (): void => {
      cleanup();
      const at = this.idle.indexOf(socket);
      if (at >= 0) this.idle.splice(at, 1);
      socket.destroy();
    };
    const timer = setTimeout(drop, IDLE_MS);
    timer.unref();
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', drop);
      socket.off('end', drop);
      socket.off('close', drop);
      socket.off('error', drop);
      this.dropIdle.delete(socket);
    };
    socket.on('data', drop);
    socket.on('end', drop);
    socket.on('close', drop);
    socket.on('error', drop);
    this.dropIdle.set(socket, cleanup);
    socket.unref();
    this.idle.push(socket);
  }

  /** Closes the idle sockets; sockets in use close when their exchange ends. */
  close(): void {
    this.closed = true;
    for (const socket of this.idle.splice(0)) {
      this.dropIdle.get(socket)?.();
      socket.destroy();
    }
  }
}
