// The floor: the same payload echoed over a plain loopback TCP connection by Node on both sides,
// with no RPC at all: a 4-byte big-endian length, then the bytes; the server sends back exactly
// what it read, the client checks it. An int payload is 4 bytes.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Splits a byte stream into length-prefixed messages. */
class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Adds bytes and returns the complete messages (prefix included) now available. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) return messages;
      const head = this.chunks[0] !== undefined && this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks);
      const length = head.readUInt32BE(0);
      if (length > this.maxBytes) throw new Error(`raw message of ${length} bytes is beyond ${this.maxBytes}`);
      if (this.buffered < 4 + length) return messages;
      const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
      messages.push(all.subarray(0, 4 + length));
      const rest = all.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
  }
}

const MAX_BYTES = 8 * 1024 * 1024;

export function serveRaw(host: string, port: number): Promise<Server> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const reader = new MessageReader(MAX_BYTES);
    socket.on('data', (chunk) => {
      try {
        for (const message of reader.push(chunk)) socket.write(message);
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

/** One raw connection: call() sends the message and resolves when the same bytes came back. */
export class RawClient {
  private pending: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly reader = new MessageReader(MAX_BYTES);
  private readonly socket: Socket;
  private readonly message: Buffer;

  private constructor(socket: Socket, message: Buffer) {
    this.socket = socket;
    this.message = message;
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
        if (answer.equals(this.message)) waiting.resolve();
        else waiting.reject(new Error('the raw echo differs from the message'));
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the raw connection closed')));
  }

  static open(host: string, port: number, payload: Buffer): Promise<RawClient> {
    const message = Buffer.allocUnsafe(4 + payload.length);
    message.writeUInt32BE(payload.length, 0);
    payload.copy(message, 4);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true }, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket, message));
      });
      socket.once('error', reject);
    });
  }

  call(): Promise<void> {
    if (this.pending) return Promise.reject(new Error('one call at a time per raw connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(this.message);
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
