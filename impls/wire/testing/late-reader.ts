// A peer that sends a whole request and then does not read for a while: the tests of both stacks
// that a server lets such a peer go at its idle timeout. A socket that never reads cannot see the
// close (and any byte it sent would be activity that restarts the timeout), so it reads after a
// delay: a server that closed at the idle timeout sent only what its kernel had taken, then its
// end; one that did not, the whole answer.
import { connect } from 'node:net';

export interface LateRead {
  /** Bytes that came once the peer read. */
  readonly received: number;
  /** The server ended the connection (within a second of the first read). */
  readonly ended: boolean;
}

/** Sends `request` on a new connection to port, reads nothing for `lateMs`, then reads for a second. */
export function sendAndReadLate(port: number, request: Buffer, lateMs = 1_000): Promise<LateRead> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.pause();
    socket.on('error', () => undefined);
    let received = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (ended: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, ended });
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on('end', () => done(true));
    socket.on('connect', () => socket.write(request, () => {
      timer = setTimeout(() => {
        socket.resume();
        timer = setTimeout(() => done(false), 1_000);
      }, lateMs);
    }));
  });
}
