// A peer that sends a whole request and then does not read for a while: the tests of both stacks
// that a server lets such a peer go at its idle timeout. A socket that never reads cannot see the
// close (and any byte it sent would be activity that restarts the timeout), so it reads after a
// delay: a server that closed at the idle timeout sent only what its kernel had taken, then its
// end; one that did not, the whole answer.
//
// The delay must cover the server's work on the request as well as its idle timeout: a peer that
// starts reading before the answer is written is a reading peer, and gets all of it. That work
// grows with the machine's load (in CI, four test files side by side, a 16 MiB request had not been
// answered 2 s after it was sent), so it is measured first on a connection that reads.
import { connect } from 'node:net';

export interface LateRead {
  /** Bytes that came once the peer read. */
  readonly received: number;
  /** The server ended the connection (within a second of the first read). */
  readonly ended: boolean;
  /** How long the peer read nothing, in ms. */
  readonly lateMs: number;
}

/** Longest wait for the measuring connection's first byte of answer. */
const ANSWER_BOUND_MS = 30_000;

/**
 * Sends `request` on a new connection to port, reads nothing for `lateMs` plus twice the time the
 * server took to start answering the same request on a connection that reads, then reads for a
 * second.
 */
export async function sendAndReadLate(port: number, request: Buffer, lateMs = 1_000): Promise<LateRead> {
  const waitMs = lateMs + 2 * await firstAnswerMs(port, request);
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.pause();
    socket.on('error', () => undefined);
    let received = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (ended: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, ended, lateMs: Math.round(waitMs) });
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on('end', () => done(true));
    socket.on('connect', () => socket.write(request, () => {
      timer = setTimeout(() => {
        socket.resume();
        timer = setTimeout(() => done(false), 1_000);
      }, waitMs);
    }));
  });
}

/** Ms from sending `request` on a new connection to the first byte of its answer (that connection is then dropped). */
function firstAnswerMs(port: number, request: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const bound = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms on the measuring connection`));
    }, ANSWER_BOUND_MS);
    let started = 0;
    socket.on('error', (error) => {
      clearTimeout(bound);
      reject(error);
    });
    socket.once('data', () => {
      clearTimeout(bound);
      socket.destroy();
      resolve(performance.now() - started);
    });
    socket.on('connect', () => {
      started = performance.now();
      socket.write(request);
    });
  });
}
