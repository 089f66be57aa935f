// Free loopback ports for servers the suite starts. All test traffic stays on 127.0.0.1.
//
// A port is chosen here and bound later, often by another process (a peer's server plan). Ports
// the kernel hands out with listen(0) come from the ephemeral range (32768-60999 on Linux), which
// every outgoing connection also draws from: on a busy machine one can be taken in between (seen
// with 40-listener plans). So ports are drawn at random below that range, checked free by binding,
// and never handed out twice by this process.
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Below the kernel's ephemeral range and above the registered ports most services use. */
const RANGE = { from: 20_000, to: 32_000 } as const;
const given = new Set<number>();

function tryBind(port: number): Promise<number | undefined> {
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
  const span = RANGE.to - RANGE.from;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * span);
    if (given.has(port)) continue;
    const bound = await tryBind(port);
    if (bound !== undefined) {
      given.add(bound);
      return bound;
    }
  }
  // Out of luck in the range: whatever the kernel gives.
  const fallback = await tryBind(0);
  if (fallback === undefined) throw new Error('no free loopback port');
  given.add(fallback);
  return fallback;
}
