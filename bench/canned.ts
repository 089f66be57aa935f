// The floors' sockets: a server that answers every message it reads with bytes made without any RPC
// work, and a client that sends one fixed message and waits for one fixed answer. The raw floor
// (raw.ts) and the Thrift replay floor (replay.ts) are two configurations of these; what differs is
// only where a message ends and what the answer is. The Avro replay floor (replay-avro.ts) has its
// own conversations on the same server, since an Avro message's end is found frame by frame.
import type { Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Where a message ends: after `headBytes` bytes of it are known, its whole length. */
export interface Boundary {
  readonly headBytes: number;
  length(head: Buffer): number;
}

/** A 4-byte big-endian length, then that many bytes (Thrift's framed transport, the raw floor). */
export const LENGTH_PREFIXED: Boundary = { headBytes: 4, length: (head) => 4 + head.readUInt32BE(0) };

/** Messages of one known length (an unframed message whose bytes never change in size). */
export function fixedLength(bytes: number): Boundary {
  return { headBytes: 0, length: () => bytes };
}

const MAX_BYTES = 8 * 1024 * 1024;

/** Splits a byte stream into messages. */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly boundary: Boundary;

  constructor(boundary: Boundary) {
    this.boundary = boundary;
  }

  /** Adds bytes and returns the complete messages now available. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Buffer[] = [];
    for (;;) {
      if (this.buffered < Math.max(this.boundary.headBytes, 1)) return messages;
      const first = this.chunks[0] as Buffer;
      const head = first.length >= this.boundary.headBytes ? first : Buffer.concat(this.chunks);
      const length = this.boundary.length(head);
      if (length > MAX_BYTES) throw new Error(`a message of ${length} bytes is beyond ${MAX_BYTES}`);
      if (this.buffered < length) return messages;
      const all = this.chunks.length === 1 ? first : Buffer.concat(this.chunks);
      messages.push(all.subarray(0, length));
      const rest = all.subarray(length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
  }
}

export interface CannedServerOptions {
  readonly boundary: Boundary;
  /** Per connection: what writes back the bytes for one message read. */
  answerer(): (message: Buffer) => Buffer;
}

/** One connection's side of a floor server: takes each chunk read, writes back through the socket; throws to end the connection. */
export type Conversation = (chunk: Buffer) => void;

/** A loopback server whose every connection is a conversation opened for it (no Nagle: answers leave at once). */
export function serveConversations(host: string, port: number, open: (socket: Socket) => Conversation): Promise<Server> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const conversation = open(socket);
    socket.on('data', (chunk) => {
      try {
        conversation(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function serveCanned(host: string, port: number, options: CannedServerOptions): Promise<Server> {
  return serveConversations(host, port, (socket) => {
    const reader = new MessageReader(options.boundary);
    const answer = options.answerer();
    return (chunk) => {
      for (const message of reader.push(chunk)) socket.write(answer(message));
    };
  });
}

export interface CannedExchange {
  readonly request: Buffer;
  /** The answer expected, byte for byte. */
  readonly answer: Buffer;
  readonly boundary: Boundary;
}

/** One connection: call() sends the request and resolves when the expected answer came back. */
export class CannedClient {
  private pending: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly reader: MessageReader;
  private readonly socket: Socket;
  private readonly exchange: CannedExchange;

  private constructor(socket: Socket, exchange: CannedExchange) {
    this.socket = socket;
    this.exchange = exchange;
    this.reader = new MessageReader(exchange.boundary);
    socket.on('data', (chunk) => {
      let messages: Buffer[];
      try {
        messages = this.reader.push(chunk);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      for (const answer of messages) {
        const waiting = this.pending;
        this.pending = undefined;
        if (!waiting) return this.fail(new Error('an answer nobody waited for'));
        if (answer.equals(this.exchange.answer)) waiting.resolve();
        else waiting.reject(new Error(`the answer differs from the one expected (${answer.length} bytes: ${answer.subarray(0, 32).toString('hex')})`));
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the connection closed')));
  }

  static open(host: string, port: number, exchange: CannedExchange): Promise<CannedClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true }, () => {
        socket.off('error', reject);
        resolve(new CannedClient(socket, exchange));
      });
      socket.once('error', reject);
    });
  }

  call(): Promise<void> {
    if (this.pending) return Promise.reject(new Error('one call at a time per connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(this.exchange.request);
    });
  }

  private fail(error: Error): void {
    const waiting = this.pending;
    this.pending = undefined;
    waiting?.reject(error);
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/** What a canned HTTP server answers: the body's first headBytes bytes in, the answer's body out. */
export interface HttpCanned {
  readonly contentType: string;
  /** How much of the request's body the answer depends on (0: none). */
  readonly headBytes: number;
  answer(head: Buffer): Buffer;
}

/**
 * The replay servers over HTTP (replay.ts, replay-avro.ts): node:http answering every POST, once
 * its body has arrived, with canned.answer(the body's first bytes), a Content-Length and the
 * content type our servers send. The rest of the body is read and dropped. node:http is taken when
 * first used, as our servers take it, so that only the agent of HTTP groups has it in its heap.
 */
export async function serveHttpCanned(host: string, port: number, canned: HttpCanned): Promise<HttpServer> {
  const server = process.getBuiltinModule('node:http').createServer((req, res) => {
    let head: Buffer = Buffer.alloc(0);
    req.on('data', (chunk: Buffer) => {
      if (head.length < canned.headBytes) head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    });
    req.on('end', () => {
      const body = canned.answer(head);
      res.writeHead(200, { 'content-type': canned.contentType, 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
