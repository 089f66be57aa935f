// Hand-made bytes for the hardening tests: Avro varints, the framings of every scheme, and a
// raw exchange that reports when the server answered or closed. Loopback only.
import { connect } from 'node:net';
import { deflateSync, constants as zlibConstants } from 'node:zlib';
import { encodeNetty } from '../framing/netty.ts';
import { encodeSaslStart } from '../framing/sasl.ts';
import { encodeStandard } from '../framing/standard.ts';
import { zigzagVarint as varint } from '../../../suites/hostile/bytes.ts';

/** Avro's zigzag varint of any 64-bit value: the hostile suite's, which its byte notation writes. */
export { varint };

export function avroString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([varint(bytes.length), bytes]);
}

export function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0, 0);
  return buffer;
}

/** A HandshakeRequest: hashes, optional protocol text, then raw bytes for the meta union. */
export function handshakeRequest(clientHash: Buffer, clientProtocol: string | null, serverHash: Buffer, metaUnion: Buffer = Buffer.from([0])): Buffer {
  const text = clientProtocol === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([2]), avroString(clientProtocol)]);
  return Buffer.concat([clientHash, text, serverHash, metaUnion]);
}

/** A call: empty call meta, the message name, then the parameter bytes. */
export function callBytes(message: string, parameters: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0]), avroString(message), parameters]);
}

/** The lengths of the standard frames of one message (up to its terminating empty frame). */
export function frameLengths(body: Buffer): number[] {
  const lengths: number[] = [];
  for (let at = 0; ; ) {
    const length = body.readUInt32BE(at);
    at += 4 + length;
    if (length === 0) return lengths;
    lengths.push(length);
  }
}

export type RawScheme = 'http' | 'tcp' | 'netty' | 'avro' | 'netty-deflate';

/** The bytes that carry one request payload on a fresh connection of this scheme. */
export function framed(scheme: RawScheme, payload: Buffer, serial = 1): Buffer {
  switch (scheme) {
    case 'tcp': return encodeStandard(payload);
    case 'netty': return encodeNetty(serial, [payload]);
    case 'avro': return Buffer.concat([encodeSaslStart('ANONYMOUS', Buffer.alloc(0)), encodeStandard(payload)]);
    case 'netty-deflate': return deflateSync(encodeNetty(serial, [payload]), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    case 'http': return httpPost(encodeStandard(payload));
  }
}

export function httpPost(body: Buffer, contentLength = body.length): Buffer {
  const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: avro/binary\r\nContent-Length: ${contentLength}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export interface RawOutcome {
  /** Milliseconds from the last byte written until the server closed, or undefined if it did not within waitMs. */
  readonly closedAfterMs: number | undefined;
  /** Milliseconds from the last byte written until the first answer byte. */
  readonly answeredAfterMs: number | undefined;
  readonly answer: Buffer;
  /** Write failed because the server had closed already (EPIPE, ECONNRESET). */
  readonly writeFailed: boolean;
  /** Milliseconds from the first byte written until the server closed (for streams it cut short). */
  readonly closedSinceStartMs: number | undefined;
  /** Bytes handed to the socket before it closed or the writing ended. */
  readonly bytesWritten: number;
  /** Milliseconds from the last byte written until the exchange ended (answer complete, close, or waitMs). */
  readonly doneAfterMs: number;
}

/**
 * Writes bytes (a Buffer, or chunks written one after another with backpressure) to a fresh
 * connection and watches it for at most waitMs after the last write, or until the answer has
 * been quiet for `settle` ms (a server that answers and keeps the connection open), or until
 * `settle`, given the answer so far, says it is complete.
 */
export function exchangeRaw(port: number, bytes: Buffer | Iterable<Buffer>, waitMs = 2_000, settle: number | ((chunks: readonly Buffer[], total: number) => boolean) = 100): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const answer: Buffer[] = [];
    let written: number | undefined;
    let startedAt: number | undefined;
    let bytesWritten = 0;
    let answeredAt: number | undefined;
    let closedAt: number | undefined;
    let writeFailed = false;
    let timer: NodeJS.Timeout | undefined;
    let settleTimer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(settleTimer);
      socket.destroy();
      const since = written ?? performance.now();
      resolve({
        closedAfterMs: closedAt === undefined ? undefined : Math.max(0, closedAt - since),
        answeredAfterMs: answeredAt === undefined ? undefined : Math.max(0, answeredAt - since),
        answer: Buffer.concat(answer),
        writeFailed,
        closedSinceStartMs: closedAt === undefined || startedAt === undefined ? undefined : closedAt - startedAt,
        bytesWritten,
        doneAfterMs: performance.now() - since,
      });
    };
    const wrote = (): void => {
      written = performance.now();
      timer = setTimeout(finish, waitMs);
    };
    let total = 0;
    socket.on('data', (chunk: Buffer) => {
      answeredAt ??= performance.now();
      answer.push(chunk);
      total += chunk.length;
      clearTimeout(settleTimer);
      if (typeof settle === 'number') settleTimer = setTimeout(finish, settle);
      else if (settle(answer, total)) finish();
    });
    socket.on('error', () => { writeFailed = written === undefined; });
    // The wait starts when writing ends, or when the server closes the connection in the middle.
    socket.on('close', () => {
      closedAt = performance.now();
      finish();
    });
    socket.on('connect', () => {
      startedAt = performance.now();
      if (Buffer.isBuffer(bytes)) {
        bytesWritten = bytes.length;
        socket.write(bytes, () => wrote());
        return;
      }
      const chunks = bytes[Symbol.iterator]();
      const pump = (): void => {
        for (let next = chunks.next(); !next.done; next = chunks.next()) {
          if (socket.destroyed) return;
          bytesWritten += next.value.length;
          if (!socket.write(next.value)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.write(Buffer.alloc(0), () => wrote());
      };
      pump();
    });
  });
}
