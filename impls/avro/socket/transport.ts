// Avro over a TCP socket, client side, for every stream framing: standard (Java SocketServer),
// Netty (answers matched by serial, several calls in flight), SASL (negotiation, then standard)
// and netty-deflate (Netty framing in a zlib stream, Flume's compression-type deflate).
//
// Stateful: the handshake happens once per connection (client.ts). Each connection has a
// number; when the server closes one (a restart, an idle timeout), the calls in flight on it
// fail, and the next call opens a new connection with a new number, so the client handshakes
// again on it (see connect()).
import { connect as netConnect, type Socket } from 'node:net';
import { AvroTransportError } from '../errors.ts';
import type { FrameCodec } from '../framing/codec.ts';
import type { ClientTransport } from '../transport.ts';
import type { WireRecorder } from '../../wire/recorder.ts';
import { Waiting } from '../../wire/waiting.ts';
import { FrameChannel } from './channel.ts';
import { OwnReads } from './reads.ts';
import { Fifo } from '../../wire/fifo.ts';

export interface SocketClientOptions {
  readonly host: string;
  readonly port: number;
  readonly codec: FrameCodec;
  readonly timeoutMs?: number;
  readonly recorder?: WireRecorder;
}

interface Pending {
  resolve(payload: Buffer): void;
  reject(error: Error): void;
  /** performance.now() time after which the call has timed out. */
  readonly deadline: number;
}

/** One open socket and the calls waiting for answers on it. */
class Connection {
  readonly id: number;
  private readonly channel: FrameChannel;
  private readonly options: SocketClientOptions;
  // Standard framing answers in order (a queue); Netty framing by serial (not a Map: a long-lived
  // Map allocates in V8's old generation as calls come and go, see waiting.ts).
  private readonly inOrder = new Fifo<Pending>();
  private readonly bySerial = new Waiting<Pending>();
  private nextSerial = 0;
  /**
   * One timer per connection waits for the oldest call's deadline (a Timeout per call cost
   * timer-list work and a clearTimeout on every call). Every call has the same timeout, so calls
   * are in deadline order in both the queue and the map (which keeps insertion order).
   */
  private watchdog: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  failure: Error | undefined;

  constructor(id: number, socket: Socket, options: SocketClientOptions, reads: OwnReads | undefined) {
    this.id = id;
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const where = `${options.host}:${options.port}`;
    this.channel = new FrameChannel(socket, options.codec, options.recorder, reads);
    this.channel.start({
      frames: (frames) => {
        for (const frame of frames) {
          const bySerial = frame.serial !== undefined && options.codec.matchesBySerial;
          const pending = bySerial ? this.bySerial.take(frame.serial as number) : this.inOrder.shift();
          if (!pending) return this.fail(new AvroTransportError(`server ${where} sent an answer nobody asked for (serial ${frame.serial})`));
          pending.resolve(frame.payload);
        }
      },
      failed: (error) => this.fail(new AvroTransportError(`bad ${options.codec.name} framing from server ${where}: ${error.message}`)),
      closed: () => {
        const partial = this.channel.pending;
        this.fail(new AvroTransportError(partial > 0
          ? `server ${where} closed the connection mid-answer, after ${partial} bytes of it`
          : `server ${where} closed the connection`));
      },
    });
    socket.on('error', (error) => this.fail(new AvroTransportError(`connection to ${where} failed: ${error.message}`)));
    if (options.codec.clientPreamble) this.channel.writeRaw([options.codec.clientPreamble]);
  }

  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    for (const pending of [...this.inOrder.drain(), ...this.bySerial.drain()]) pending.reject(error);
    this.channel.close();
  }

  exchange(payload: readonly Buffer[], expectResponse: boolean): Promise<Buffer | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const codec = this.options.codec;
    const serial = this.nextSerial++ & 0x7fffffff;
    // The only call in flight goes out at once; calls made beside others are gathered (channel.ts).
    const alone = this.inOrder.length === 0 && this.bySerial.size === 0;
    if (!expectResponse) {
      this.channel.send(payload, serial, alone);
      return Promise.resolve(undefined);
    }
    return new Promise<Buffer>((resolve, reject) => {
      const pending: Pending = { resolve, reject, deadline: performance.now() + this.timeoutMs };
      if (codec.matchesBySerial) this.bySerial.add(serial, pending);
      else this.inOrder.push(pending);
      this.watchdog ??= this.watch(this.timeoutMs);
      this.channel.send(payload, serial, alone);
    });
  }

  /** Unreferenced: a call in flight has its socket open, which keeps the process alive. */
  private watch(ms: number): NodeJS.Timeout {
    return setTimeout(this.checkDeadlines, Math.max(1, Math.ceil(ms))).unref();
  }

  /**
   * Without serials a late answer would be taken for the next call's, so a timeout ends the
   * connection; with Netty serials only the calls that timed out are abandoned.
   */
  private readonly checkDeadlines = (): void => {
    this.watchdog = undefined;
    if (this.failure) return;
    const now = performance.now();
    const timedOut = (): AvroTransportError => new AvroTransportError(`no response within ${this.timeoutMs} ms`);
    if (this.options.codec.matchesBySerial) {
      for (let oldest = this.bySerial.oldest(); oldest; oldest = this.bySerial.oldest()) {
        if (oldest.value.deadline > now) {
          this.watchdog = this.watch(oldest.value.deadline - now);
          return;
        }
        this.bySerial.take(oldest.key);
        oldest.value.reject(timedOut());
      }
      return;
    }
    const oldest = this.inOrder.first();
    if (oldest === undefined) return;
    if (oldest.deadline > now) this.watchdog = this.watch(oldest.deadline - now);
    else this.fail(timedOut());
  };
}

export interface SocketClientTransport extends ClientTransport {
  /** The open connection's number, opening a new connection when the last one was closed. */
  connect(): Promise<number>;
}

export async function socketClientTransport(options: SocketClientOptions): Promise<SocketClientTransport> {
  let current: Connection | undefined;
  let opening: Promise<Connection> | undefined;
  let connections = 0;
  let closed = false;

  const open = (): Promise<Connection> => {
    opening ??= openSocket(options.host, options.port, options.codec).then(({ socket, reads }) => {
      if (closed) {
        socket.destroy();
        throw new AvroTransportError('client closed');
      }
      current = new Connection(++connections, socket, options, reads);
      return current;
    }).finally(() => {
      opening = undefined;
    });
    return opening;
  };
  await open();

  return {
    stateful: true,
    timeoutMs: options.timeoutMs ?? 30_000,
    openConnection: () => (closed || !current || current.failure ? undefined : current.id),
    connect: async () => {
      if (closed) throw new AvroTransportError('client closed');
      if (current && !current.failure) return current.id;
      return (await open()).id;
    },
    exchange: (payload, expectResponse, connection) => {
      if (closed) return Promise.reject(new AvroTransportError('client closed'));
      const target = current;
      if (!target) return Promise.reject(new AvroTransportError('not connected'));
      // A call meant for a connection that has been replaced must not go out on the new one:
      // the new one has not had its handshake.
      if (connection !== undefined && target.id !== connection) {
        return Promise.reject(new AvroTransportError(`connection ${connection} to ${options.host}:${options.port} was closed`));
      }
      return target.exchange(Array.isArray(payload) ? payload : [payload as Buffer], expectResponse);
    },
    close: async () => {
      closed = true;
      current?.fail(new AvroTransportError('client closed'));
    },
  };
}

/** A zlib stream is piped from the socket's 'data' events, so netty-deflate reads as net does. */
function openSocket(host: string, port: number, codec: FrameCodec): Promise<{ socket: Socket; reads: OwnReads | undefined }> {
  return new Promise((resolve, reject) => {
    const reads = codec.compression === 'zlib' ? undefined : new OwnReads();
    const socket = netConnect({ host, port, ...(reads ? { onread: reads.onread } : {}) });
    socket.setNoDelay(true);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({ socket, reads });
    });
    socket.once('error', (error) => reject(new AvroTransportError(`cannot connect to ${host}:${port}: ${error.message}`)));
  });
}
