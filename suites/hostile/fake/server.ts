// The small hostile fake server our clients meet (loopback only): it reads one whole request as
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

export interface FakeServer {
  readonly port: number;
  /** Connections accepted and not yet closed. */
  openSockets(): number;
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

interface Out {
  write(bytes: Buffer): Promise<void>;
  readonly closed: boolean;
  close(): void;
}

async function play(out: Out, steps: readonly AnswerStep[], transport: AvroTransport, serial: number, context: BytesContext): Promise<void> {
  for (const step of steps) {
    if (out.closed) return;
    if ('write' in step) {
      const bytes = bytesOf(step.write, context);
      await out.write(step.framing === 'message' ? framedAnswer(transport, bytes, serial) : bytes);
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
      for (let i = 0; i < step.times && !out.closed; i++) await play(out, step.repeat, transport, serial, context);
    } else {
      out.close();
    }
  }
}

/** A fake Avro server on loopback that plays `steps` to every request it reads whole. */
export async function fakeAvroServer(transport: AvroTransport, steps: readonly AnswerStep[], context: BytesContext): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = requestReader(transport);
    const deflate = transport === 'netty-deflate' ? createDeflate() : undefined;
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
        void play(out, steps, transport, frame.serial ?? 0, context);
      }
    };
    if (transport === 'netty-deflate') {
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
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
