// The small hostile fake server our clients meet (loopback only, Avro or Thrift): it reads one whole request as
// the transport frames it, then plays the case's steps on the raw connection -- a framed answer
// of any bytes, raw bytes, a trickle, a pause, a close. It counts the connections still open, so
// a case can see whether our client let go after it failed.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createDeflate, createInflate, constants as zlib } from 'node:zlib';
import type { Frame, FrameDecoder } from '../../../impls/avro/framing/codec.ts';
import { nettyCodec } from '../../../impls/avro/framing/netty.ts';
import { saslServerCodec } from '../../../impls/avro/framing/sasl.ts';
import { standardCodec } from '../../../impls/avro/framing/standard.ts';
import { LOOPBACK } from '../../../harness/net/ports.ts';
import { bytesOf, pieces, type BytesContext } from '../bytes.ts';
import type { AnswerStep } from '../catalogue.ts';
import { nettyPack, standardFrames, type AvroTransport } from '../avro/wire.ts';
import { framingFor } from '../../../impls/thrift/transport/framing.ts';
import { resolveLimits } from '../../../impls/thrift/limits.ts';
import type { ProtocolName } from '../../../impls/thrift/protocol/index.ts';
import { message as thriftMessage, type ThriftTransport } from '../thrift/wire.ts';

export interface FakeServer {
  readonly port: number;
  /** Connections accepted and not yet closed. */
  openSockets(): number;
  /** Resolves when no connection is open (at once if none is), or after `ms`. */
  allClosed(ms: number): Promise<void>;
  /** Requests read whole so far. */
  requests(): number;
  close(): Promise<void>;
}

/** An answer payload framed as the transport frames answers (HTTP: a 200 response with its length). */
function framedAnswer(transport: AvroTransport, payload: Buffer, serial: number): Buffer {
  switch (transport) {
    case 'http': {
      const body = Buffer.concat([...standardFrames([payload], 8192)]);
      return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: avro/binary\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    }
    case 'tcp':
    case 'sasl':
      return Buffer.concat([...standardFrames([payload], 8192)]);
    case 'netty':
    case 'netty-deflate':
      return Buffer.concat([...nettyPack([payload], payload.length, 8192, serial)]);
  }
}

/** Reads HTTP requests (head and a body of its Content-Length) as frames without serials. */
class HttpRequestReader implements FrameDecoder {
  private buffer = Buffer.alloc(0);
  get pending(): number {
    return this.buffer.length;
  }
  push(chunk: Buffer): Frame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return frames;
      const length = Number(/content-length:\s*(\d+)/i.exec(this.buffer.toString('latin1', 0, end))?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return frames;
      frames.push({ serial: undefined, payload: this.buffer.subarray(end + 4, end + 4 + length) });
      this.buffer = this.buffer.subarray(end + 4 + length);
    }
  }
}

function requestReader(transport: AvroTransport): FrameDecoder {
  switch (transport) {
    case 'http': return new HttpRequestReader();
    case 'tcp': return standardCodec().decoder();
    case 'sasl': return saslServerCodec().decoder();
    case 'netty':
    case 'netty-deflate': return nettyCodec().decoder();
  }
}

/** What the fake server needs of an RPC family's wire. */
export interface FakeWire {
  /** Reads requests: each whole one with its serial (Netty, THeader), and framing-level replies (SASL). */
  reader(): FrameDecoder;
  /** An answer payload framed as the transport frames answers. */
  answer(payload: Buffer, serial: number): Buffer;
  readonly compression: 'zlib' | undefined;
}

export function avroFakeWire(transport: AvroTransport): FakeWire {
  return { reader: () => requestReader(transport), answer: (payload, serial) => framedAnswer(transport, payload, serial), compression: transport === 'netty-deflate' ? 'zlib' : undefined };
}

/** Thrift requests as the transport frames them (HTTP: a POST body); answers likewise (HTTP: a 200 with its length). */
export function thriftFakeWire(transport: ThriftTransport, protocol: ProtocolName): FakeWire {
  return {
    compression: transport === 'zlib' ? 'zlib' : undefined,
    reader: (): FrameDecoder => {
      if (transport === 'http') return new HttpRequestReader();
      const { splitter } = framingFor(transport, protocol, resolveLimits(undefined));
      return {
        get pending() {
          return splitter.pending;
        },
        // A THeader frame (its length removed) carries the sequence id at bytes 4..7.
        push: (chunk) => splitter.push(chunk).map((unit) => ({ serial: transport.startsWith('header') && unit.length >= 8 ? unit.readInt32BE(4) : undefined, payload: unit })),
      };
    },
    answer: (payload, serial) => {
      if (transport !== 'http') return Buffer.concat([...thriftMessage(transport, protocol, [payload], payload.length, { seqid: serial })]);
      return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/x-thrift\r\nContent-Length: ${payload.length}\r\n\r\n`, 'latin1'), payload]);
    },
  };
}

interface Out {
  write(bytes: Buffer): Promise<void>;
  readonly closed: boolean;
  close(): void;
}

async function play(out: Out, steps: readonly AnswerStep[], wire: FakeWire, serial: number, context: BytesContext): Promise<void> {
  for (const step of steps) {
    if (out.closed) return;
    if ('write' in step) {
      const bytes = bytesOf(step.write, context);
      await out.write(step.framing === 'message' ? wire.answer(bytes, serial) : bytes);
    } else if ('trickle' in step) {
      for (const piece of pieces(step.trickle, context)) {
        for (let i = 0; i < piece.length && !out.closed; i++) {
          await out.write(piece.subarray(i, i + 1));
          await new Promise((resolve) => setTimeout(resolve, step.everyMs));
        }
      }
    } else if ('waitMs' in step) {
      await new Promise((resolve) => setTimeout(resolve, step.waitMs));
    } else if ('repeat' in step) {
      for (let i = 0; i < step.times && !out.closed; i++) await play(out, step.repeat, wire, serial, context);
    } else {
      out.close();
    }
  }
}

/** A fake server on loopback that plays `steps` to every request it reads whole. */
export async function fakeServer(wire: FakeWire, steps: readonly AnswerStep[], context: BytesContext): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  // Waiters for the last connection to close: the release watch waits on this, not on a timer
  // that would wake the test's thread every few ms (and count as CPU wait under load).
  const whenEmpty: Array<() => void> = [];
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const wake of whenEmpty.splice(0)) wake();
    });
    socket.on('error', () => undefined);
    const reader = wire.reader();
    const deflate = wire.compression === 'zlib' ? createDeflate() : undefined;
    deflate?.on('data', (chunk: Buffer) => socket.write(chunk));
    const out: Out = {
      get closed() {
        return socket.destroyed;
      },
      close: () => socket.destroy(),
      write: (bytes) => new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        if (deflate) {
          deflate.write(bytes);
          deflate.flush(zlib.Z_SYNC_FLUSH, () => resolve());
        } else {
          socket.write(bytes, () => resolve());
        }
      }),
    };
    const take = (chunk: Buffer): void => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const reply of reader.takeReplies?.() ?? []) void out.write(reply);
      for (const frame of frames) {
        requests++;
        void play(out, steps, wire, frame.serial ?? 0, context);
      }
    };
    if (wire.compression === 'zlib') {
      const inflate = createInflate({ finishFlush: zlib.Z_SYNC_FLUSH });
      inflate.on('error', () => socket.destroy());
      inflate.on('data', take);
      socket.on('data', (chunk: Buffer) => inflate.write(chunk));
    } else {
      socket.on('data', take);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    openSockets: () => sockets.size,
    allClosed: (ms) => new Promise<void>((resolve) => {
      if (sockets.size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      whenEmpty.push(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
