// The listening half the hand-written test servers share: an ephemeral loopback port, a count of
// the sockets still open (to check that a client let go after it failed), and a close that
// destroys them rather than waiting for clients that may never hang up.
import type { AddressInfo, Server, Socket } from 'node:net';

export interface TrackedServer {
  readonly port: number;
  /** Sockets the server accepted that are still open. */
  readonly openSockets: () => number;
  close(): Promise<void>;
}

export async function listenTracked(server: Server): Promise<TrackedServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    openSockets: () => sockets.size,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
