// Avro over a TCP socket, client side, for every stream framing: standard (Java SocketServer),
// Netty (answers matched by serial, several calls in flight) and SASL (negotiation, then standard).
// Stateful: the handshake happens on the first call of the connection only.
import { connect, type Socket } from 'node:net';
import { AvroTransportError } from '../errors.ts';
import type { FrameCodec, FrameDecoder } from '../framing/codec.ts';
import type { ClientTransport } from '../transport.ts';
import type { WireRecorder } from '../../wire/recorder.ts';

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
  timer: NodeJS.Timeout;
}

export async function socketClientTransport(options: SocketClientOptions): Promise<ClientTransport> {
  const socket = await open(options.host, options.port);
  socket.setNoDelay(true);
  const decoder: FrameDecoder = options.codec.decoder();
  // Standard framing answers in order (a queue); Netty framing by serial (a map).
  const inOrder: Pending[] = [];
  const bySerial = new Map<number, Pending>();
  let nextSerial = 0;
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    if (failure) return;
    failure = error;
    for (const pending of [...inOrder.splice(0), ...bySerial.values()]) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    bySerial.clear();
    socket.destroy();
  };

  socket.on('data', (chunk: Buffer) => {
    options.recorder?.received(chunk);
    let frames;
    try {
      frames = decoder.push(chunk);
    } catch (error) {
      return failAll(new AvroTransportError(`bad ${options.codec.name} framing from server: ${(error as Error).message}`));
    }
    for (const frame of frames) {
      const pending = frame.serial !== undefined && options.codec.matchesBySerial ? bySerial.get(frame.serial) : inOrder.shift();
      if (frame.serial !== undefined) bySerial.delete(frame.serial);
      if (!pending) return failAll(new AvroTransportError(`server sent an answer nobody asked for (serial ${frame.serial})`));
      clearTimeout(pending.timer);
      pending.resolve(frame.payload);
    }
  });
  socket.on('error', (error) => failAll(new AvroTransportError(`connection to ${options.host}:${options.port} failed: ${error.message}`)));
  socket.on('close', () => failAll(new AvroTransportError(`server ${options.host}:${options.port} closed the connection`)));

  const write = (bytes: Buffer): void => {
    options.recorder?.sent(bytes);
    socket.write(bytes);
  };
  if (options.codec.clientPreamble) write(options.codec.clientPreamble);

  return {
    stateful: true,
    exchange: (payload, expectResponse) => {
      if (failure) return Promise.reject(failure);
      const serial = nextSerial++ & 0x7fffffff;
      if (!expectResponse) {
        write(options.codec.encode(payload, serial));
        return Promise.resolve(undefined);
      }
      return new Promise<Buffer>((resolve, reject) => {
        const ms = options.timeoutMs ?? 30_000;
        // Without serials a late answer would be taken for the next call's, so a timeout ends
        // the connection; with Netty serials only this call is abandoned.
        const timer = setTimeout(() => {
          const error = new AvroTransportError(`no response within ${ms} ms`);
          if (options.codec.matchesBySerial) {
            bySerial.delete(serial);
            reject(error);
          } else {
            failAll(error);
          }
        }, ms);
        const pending = { resolve, reject, timer };
        if (options.codec.matchesBySerial) bySerial.set(serial, pending);
        else inOrder.push(pending);
        write(options.codec.encode(payload, serial));
      });
    },
    close: async () => {
      failure ??= new AvroTransportError('client closed');
      socket.end();
      socket.destroy();
    },
  };
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (error) => reject(new AvroTransportError(`cannot connect to ${host}:${port}: ${error.message}`)));
  });
}
