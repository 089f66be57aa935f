// A server that answers our client with whatever a test hands it: the payload of a framed
// answer, raw bytes, or nothing at all. Used to show how our client copes with bad answers.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { FrameCodec } from '../framing/codec.ts';
import { nettyCodec } from '../framing/netty.ts';
import { saslServerCodec } from '../framing/sasl.ts';
import { decodeStandardBody, encodeStandard, standardCodec } from '../framing/standard.ts';
import { listenTracked, type TrackedServer } from './tracked-server.ts';

/** A payload to frame, raw bytes to write as they are, or undefined for no answer at all. */
export type HostileAnswer = Buffer | { readonly raw: Buffer; readonly thenClose?: boolean } | undefined;

export type HostileServer = TrackedServer;

function codecFor(scheme: 'tcp' | 'netty' | 'avro'): FrameCodec {
  return scheme === 'netty' ? nettyCodec() : scheme === 'avro' ? saslServerCodec() : standardCodec();
}

export async function hostileServer(scheme: 'http' | 'tcp' | 'netty' | 'avro', answer: (request: Buffer, index: number) => HostileAnswer): Promise<HostileServer> {
  let index = 0;
  let server: Server;
  if (scheme === 'http') {
    server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const reply = answer(decodeStandardBody(Buffer.concat(chunks)), index++);
        if (reply === undefined) return;
        if (Buffer.isBuffer(reply)) {
          const body = encodeStandard(reply);
          res.writeHead(200, { 'Content-Type': 'avro/binary', 'Content-Length': body.length }).end(body);
          return;
        }
        res.socket?.write(reply.raw);
        if (reply.thenClose) res.socket?.destroy();
      });
    });
  } else {
    const codec = codecFor(scheme);
    server = createServer((socket) => {
      const decoder = codec.decoder();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        let frames: ReturnType<typeof decoder.push>;
        try {
          frames = decoder.push(chunk);
        } catch {
          socket.destroy();
          return;
        }
        for (const reply of decoder.takeReplies?.() ?? []) socket.write(reply);
        for (const frame of frames) {
          const reply = answer(frame.payload, index++);
          if (reply === undefined) continue;
          if (Buffer.isBuffer(reply)) socket.write(codec.encode(reply, frame.serial ?? 0));
          else {
            socket.write(reply.raw);
            if (reply.thenClose) socket.destroy();
          }
        }
      });
    });
  }
  return listenTracked(server);
}
