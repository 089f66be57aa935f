// Avro over a TCP socket, server side, for every stream framing (standard, Netty, SASL).
// One Connection state per socket: the handshake is read once, then plain calls.
// Bad framing closes that socket only; the server keeps serving the others.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FrameCodec } from '../framing/codec.ts';
import type { AvroResponder } from '../responder.ts';
import type { ListeningServer } from '../http/handler.ts';
import type { ConnectionRecorders } from '../../wire/recorder.ts';

export interface SocketServerOptions {
  readonly host: string;
  readonly port: number;
  readonly codec: FrameCodec;
  readonly log?: (line: string) => void;
  /** Records what each connection reads and writes. */
  readonly recorders?: ConnectionRecorders;
}

export async function serveSocket(responder: AvroResponder, options: SocketServerOptions): Promise<ListeningServer> {
  const log = options.log ?? (() => undefined);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (error) => log(`connection error: ${error.message}`));
    const connection = responder.newConnection();
    const recorder = options.recorders?.connection(`${socket.remoteAddress}:${socket.remotePort}`);
    const write = (bytes: Buffer): void => {
      recorder?.sent(bytes);
      socket.write(bytes);
    };
    const decoder = options.codec.decoder();
    // Standard framing has no serials, so answers must leave in request order.
    let queue: Promise<unknown> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      recorder?.received(chunk);
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (error) {
        for (const reply of decoder.takeReplies?.() ?? []) write(reply);
        log(`closing connection: bad ${options.codec.name} framing: ${(error as Error).message}`);
        socket.destroy();
        return;
      }
      for (const reply of decoder.takeReplies?.() ?? []) write(reply);
      for (const frame of frames) {
        const answer = responder.respond(frame.payload, connection);
        queue = queue.then(() => answer).then((payload) => {
          if (payload !== undefined && !socket.destroyed) write(options.codec.encode(payload, frame.serial ?? 0));
        }, (error: unknown) => {
          log(`closing connection: ${String(error)}`);
          socket.destroy();
        });
      }
    });
  });
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
