// A thread's time on a CPU and time runnable without one, from Linux's schedstat. Bounds on how
// fast a peer reacts are held to the time the measuring thread could run (and the process under
// test, suites/hostile/measure/proc.ts): on an overloaded machine a thread can wait seconds for a
// CPU, and then its timer fires before it reads the close or answer that came in time (a full
// release grid, 2026-12-01: our client's thread waited 2.6 s of a 3 s stall, and a Python server's
// close within the bound was seen after it).

import { readFileSync } from 'node:fs';

/** "<ns on a CPU> <ns runnable, waiting for one> <timeslices>", in ms; undefined without schedstat. */
export function readSchedstat(path: string): { ranMs: number; waitedMs: number } | undefined {
  try {
    const [ran, waited] = readFileSync(path, 'utf8').split(' ');
    return { ranMs: Number(ran) / 1e6, waitedMs: Number(waited) / 1e6 };
  } catch {
    return undefined; // not Linux, or the thread is gone
  }
}

/** How long the calling thread waits for a CPU from now until stop() (0 without schedstat). */
export function ownCpuWait(): { stop(): number } {
  const path = '/proc/thread-self/schedstat';
  const before = readSchedstat(path)?.waitedMs ?? 0;
  return { stop: () => Math.max(0, (readSchedstat(path)?.waitedMs ?? before) - before) };
}
