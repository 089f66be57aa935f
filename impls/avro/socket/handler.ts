// Avro over a TCP socket, server side, for every stream framing (standard, Netty, SASL,
// netty-deflate). One Connection state per socket: the handshake is read once, then plain calls.
//
// What a peer cannot do to this server (limits.ts has the numbers):
// - bad framing closes its connection only; the server keeps serving the others;
// - a client that sends requests but does not read answers stops being read: at most
//   maxRequestsInFlight requests are answered at once and at most maxUnsentAnswerBytes wait
//   for it, then its socket is paused until it drains (TCP pushes back on its writes);
// - a message must arrive whole within readTimeoutMs of its first byte (no half frames or one
//   byte per ten seconds), and a connection with nothing to do is closed after idleTimeoutMs;
// - at most maxConnections connections are open at once; more are closed on accept.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Frame, FrameCodec } from '../framing/codec.ts';
import type { ListeningServer } from '../http/handler.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { Answer, AvroResponder } from '../responder.ts';
import type { ConnectionRecorders } from '../../wire/recorder.ts';
import { FrameChannel } from './channel.ts';
import { OwnReads } from './reads.ts';
import { readInto } from '../../wire/accepted-reads.ts';

export interface SocketServerOptions {
  readonly host: string;
  readonly port: number;
  readonly codec: FrameCodec;
  readonly limits?: Limits;
  readonly log?: (line: string) => void;
  /** Records what each connection reads and writes. */
  readonly recorders?: ConnectionRecorders;
}

export async function serveSocket(responder: AvroResponder, options: SocketServerOptions): Promise<ListeningServer> {
  const log = options.log ?? (() => undefined);
  const limits = options.limits ?? DEFAULT_LIMITS;
  const sockets = new Set<Socket>();
  // Each connection reads into slabs of its own (reads.ts), as our client does, except under
  // netty-deflate, whose socket is piped into zlib. Not one buffer for all connections: the
  // decoders keep views of what was read, and move a message's frames together where they lie.
  const ownReads = options.codec.compression !== 'zlib';
  const server = createServer({ pauseOnConnect: ownReads }, (accepted) => {
    const reads = ownReads ? new OwnReads() : undefined;
    const adopted = reads === undefined ? undefined : readInto(accepted, reads.onread);
    const socket = adopted ?? accepted;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, responder, options.codec, limits, log, options.recorders, adopted === undefined ? undefined : reads);
  });
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data) => log(`refused a connection from ${data?.remoteAddress}:${data?.remotePort}: ${limits.maxConnections} are open (limit maxConnections)`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

function serveConnection(socket: Socket, responder: AvroResponder, codec: FrameCodec, limits: Limits, log: (line: string) => void, recorders: ConnectionRecorders | undefined, reads: OwnReads | undefined): void {
  socket.setNoDelay(true);
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  socket.on('error', (error) => log(`connection ${peer} error: ${error.message}`));
  const recorder = recorders?.connection(peer);
  const channel = new FrameChannel(socket, codec, recorder, reads);
  const connection = responder.newConnection();
  const close = (why: string): void => {
    if (socket.destroyed) return;
    log(`closing connection ${peer}: ${why}`);
    channel.close();
  };

  /** Decoded requests not yet handed to the responder (at most what one read brought). */
  const waiting: Frame[] = [];
  /** Requests handed to the responder whose answers are not written yet. */
  let inFlight = 0;
  /**
   * Standard framing has no serials, so answers must leave in request order: an answer that is
   * ready while an earlier one is still being computed (an asynchronous handler) waits here.
   */
  const unwritten: Array<{ parts: Answer; ready: boolean }> = [];
  let paused = false;

  // Limits in time, watched by one timer per connection (a Timeout armed and cleared per call cost
  // timer-list work on every call): calls record when the connection became idle and when the
  // message being received began; the timer fires no later than the earliest limit could be
  // reached, compares, and is armed again only then. readTimeoutMs runs while a message is partly
  // received (and we read); idleTimeoutMs while no request is being answered and nothing is being
  // received, or while we hold the connection because its answers are not read. Bytes in either
  // direction restart it.
  let idleSince = performance.now();
  let receivingSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now() time). */
  let due = Number.POSITIVE_INFINITY;
  const arm = (at: number): void => {
    clearTimeout(timer);
    due = at;
    timer = setTimeout(check, Math.max(1, Math.ceil(at - performance.now())));
  };
  const check = (): void => {
    timer = undefined;
    due = Number.POSITIVE_INFINITY;
    if (socket.destroyed) return;
    const now = performance.now();
    if (channel.pending > 0 && !paused) {
      const deadline = (receivingSince ?? now) + limits.readTimeoutMs;
      if (now < deadline) arm(deadline);
      else close(`a message was not completed within ${limits.readTimeoutMs} ms of its first byte (${channel.pending} bytes of it received; limit readTimeoutMs)`);
    } else if (inFlight > 0) {
      arm(now + Math.min(limits.idleTimeoutMs, limits.readTimeoutMs)); // busy answering: nothing runs out
    } else if (now < idleSince + limits.idleTimeoutMs) {
      arm(idleSince + limits.idleTimeoutMs);
    } else {
      const unread = channel.unsent > 0 ? ` (${channel.unsent} bytes of answers not read by the peer)` : '';
      close(`idle for ${limits.idleTimeoutMs} ms${unread} (limit idleTimeoutMs)`);
    }
  };
  const watch = (): void => {
    if (socket.destroyed) return;
    // While we do not read (flow control), a half-received message is our doing, not the peer's.
    if (channel.pending > 0 && !paused) {
      if (receivingSince === undefined) {
        receivingSince = performance.now();
        if (due > receivingSince + limits.readTimeoutMs) arm(receivingSince + limits.readTimeoutMs);
      }
      return;
    }
    receivingSince = undefined;
    if (inFlight === 0) {
      idleSince = performance.now();
      if (due > idleSince + limits.idleTimeoutMs) arm(idleSince + limits.idleTimeoutMs);
    }
  };
  socket.on('close', () => clearTimeout(timer));

  const flowControl = (): void => {
    const full = waiting.length > 0 || inFlight >= limits.maxRequestsInFlight || channel.unsent >= limits.maxUnsentAnswerBytes;
    if (full && !paused) {
      paused = true;
      channel.pause();
    } else if (!full && paused) {
      paused = false;
      channel.resume();
    }
  };

  const failed = (error: unknown): void => close(`answering failed: ${String(error)}`);
  const write = (parts: Answer, serial: number): void => {
    if (parts !== undefined && !socket.destroyed) channel.send(parts, serial);
  };
  /** Writes the answers at the front of the order that are ready (standard framing). */
  const writeReady = (): void => {
    while (unwritten.length > 0 && (unwritten[0] as { ready: boolean }).ready) {
      write((unwritten.shift() as { parts: Answer }).parts, 0);
      inFlight--;
    }
  };

  /** Answers one request: at once when the handler is synchronous, else when its promise settles. */
  const answer = (frame: Frame): void => {
    if (frame.payload.length === 0) {
      close('empty message (a request carries at least a handshake or a call)');
      return;
    }
    const serial = frame.serial ?? 0;
    inFlight++;
    try {
      const answered = responder.answer(frame.payload, connection);
      if (!(answered instanceof Promise)) {
        if (codec.matchesBySerial || unwritten.length === 0) {
          write(answered, serial);
          inFlight--;
        } else {
          unwritten.push({ parts: answered, ready: true });
        }
        return;
      }
      if (codec.matchesBySerial) {
        answered.then((parts) => {
          write(parts, serial);
          inFlight--;
          pump();
        }).catch(failed);
        return;
      }
      const slot: { parts: Answer; ready: boolean } = { parts: undefined, ready: false };
      unwritten.push(slot);
      answered.then((parts) => {
        slot.parts = parts;
        slot.ready = true;
        writeReady();
        pump();
      }).catch(failed);
    } catch (error) {
      failed(error);
    }
  };

  const pump = (): void => {
    while (waiting.length > 0 && inFlight < limits.maxRequestsInFlight && channel.unsent < limits.maxUnsentAnswerBytes && !socket.destroyed) {
      answer(waiting.shift() as Frame);
    }
    flowControl();
    watch();
  };

  socket.on('drain', pump);
  channel.start({
    frames: (frames) => {
      for (const frame of frames) waiting.push(frame);
      pump();
    },
    failed: (error) => log(`closing connection ${peer}: bad ${codec.name} framing: ${error.message}`),
    activity: watch,
  });
  watch();
}
