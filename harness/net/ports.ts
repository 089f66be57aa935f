// Free loopback ports for servers the suite starts. All test traffic stays on 127.0.0.1.
//
// A port is handed to a peer container that binds it seconds later. A port from the kernel's
// ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default) can be
// taken in between by any process's bind(0) or outgoing connection, and the peer's listener then
// fails with EADDRINUSE (seen on a shared 2-core machine: 2 of 90 listeners in one Avro run, each
// failing its whole cell). The kernel never hands out a port below that range on its own, so ports
// are drawn at random there and checked by binding them; the kernel's choice is the fallback.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Lowest port drawn: above the registered services people run on developer machines. */
const LOWEST = 20000;
const ATTEMPTS = 40;
/** Ports this process handed out: not handed out twice while a peer may not have bound them yet. */
const handedOut = new Set<number>();

function ephemeralLowerBound(): number | undefined {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined; // not Linux: the kernel's choice
  }
}

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, LOOPBACK, () => {
      const address = server.address();
      const bound = address !== null && typeof address !== 'string' ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  const below = ephemeralLowerBound();
  if (below !== undefined && below - LOWEST > ATTEMPTS * 10) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = randomInt(LOWEST, below);
      if (handedOut.has(port)) continue;
      if ((await bindable(port)) === port) {
        handedOut.add(port);
        return port;
      }
    }
  }
  const port = await bindable(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}
