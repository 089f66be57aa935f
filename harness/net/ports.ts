// Free loopback ports for servers the suite starts. All test traffic stays on 127.0.0.1.
//
// A port is handed to a peer container that binds it seconds (or, for a slice's later peer
// releases, minutes) later. Two things can take it in between:
//   - any process's bind(0) or outgoing connection, when the port is in the kernel's ephemeral
//     range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default): seen on a
//     shared 2-core machine, 2 of 90 listeners in one Avro run, each failing its whole cell;
//   - another worker of the same run (or another run on the machine) drawing the same port: its
//     test bind succeeds while our peer has not bound yet.
// So ports are drawn at random below the ephemeral range, which the kernel never hands out on its
// own, and reserved machine-wide with a file created exclusively (O_EXCL) under the temporary
// directory, naming the owning process; a reservation whose process is gone is taken over. The
// kernel's choice is the fallback where none of that works.
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOOPBACK = '127.0.0.1';

/** Lowest port drawn: above the registered services people run on developer machines. */
const LOWEST = 20000;
const ATTEMPTS = 60;
const RESERVATIONS = join(tmpdir(), 'avro-thrift-conformance-ports');
/** This process's reservations, released when it exits. */
const reserved = new Set<number>();

function ephemeralLowerBound(): number | undefined {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined; // not Linux: the kernel's choice
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the port's reservation file; false when a live process holds it. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      if (reserved.size === 0) process.once('exit', release);
      reserved.add(port);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      let owner: number;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        return false; // released meanwhile: draw another
      }
      // An empty file is a reservation being written: held. A live owner: held.
      if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) return false;
      rmSync(file, { force: true }); // its process is gone: take it over
    }
  }
  return false;
}

function unreserve(port: number): void {
  reserved.delete(port);
  rmSync(join(RESERVATIONS, String(port)), { force: true });
}

function release(): void {
  for (const port of reserved) rmSync(join(RESERVATIONS, String(port)), { force: true });
  reserved.clear();
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
  let reservations = true;
  try {
    mkdirSync(RESERVATIONS, { recursive: true });
  } catch {
    reservations = false;
  }
  if (reservations && below !== undefined && below - LOWEST > ATTEMPTS * 10) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = randomInt(LOWEST, below);
      if (reserved.has(port) || !reserve(port)) continue;
      if ((await bindable(port)) === port) return port;
      unreserve(port); // something outside the suite listens there
    }
  }
  const port = await bindable(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}
