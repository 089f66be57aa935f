// Watches a process's event loop and thread pool for stalls: each test worker's, where our clients
// run beside every other test of the worker, and each server host's (server-host.ts), where our
// ts-server servers run. A loop blocked for seconds (synchronous work elsewhere in the process, a
// long garbage collection, the process descheduled on a loaded machine) makes a peer time out
// through no fault of the code under test; so does a thread pool whose four threads are all held,
// for a zlib stream. A failing case whose time span holds a stall of the process that ran its side
// says so in its message: the failure stays a failure, and whoever reads it knows where to look
// first. (Seen on Node 22: Python-client cases over zlib timed out in loaded full runs while our
// servers still ran in the workers, DESIGN.md "Stalls of a worker".) The same watch sees the
// real-time clock stepped (the stalls' stamps are real-time, compared with the real-time span of a
// case; case windows themselves are cut on the monotonic clock, impls/wire/monotonic-clock.ts),
// and says so instead of calling the jump a stall.

import { deflate } from 'node:zlib';
import { readSchedstat } from '../host/schedstat.ts';

/** The loop is sampled this often; a sample this much late is a stall. */
const TICK_MS = 100;
export const STALL_MS = 1_000;
/** The newest stalls kept (a worker that stalls more than this has other problems to report). */
const KEEP = 200;

export interface Stall {
  /**
   * What stopped: the event loop, or libuv's thread pool, where node runs zlib, fs and dns work;
   * or what jumped: the real-time clock, stepped by `stepMs` within [from, to].
   */
  readonly what: 'event loop' | 'thread pool' | 'real-time clock';
  /** The last time it was seen running before the stall (epoch ms). */
  readonly from: number;
  /** When it ran again. */
  readonly to: number;
  /** For a clock step: by how much (ms; negative when set back). */
  readonly stepMs?: number;
  /**
   * For an event loop's stall: what its thread did meanwhile. `ranMs` of CPU (JavaScript, garbage
   * collection, system calls: work held the loop) and `waitedMs` runnable without a CPU (the
   * machine was overloaded); the rest of the stall it slept. Absent where Linux's schedstat is not.
   */
  readonly ranMs?: number;
  readonly waitedMs?: number;
}

/** The loop thread's CPU time and run-queue wait so far (ms), or undefined without schedstat. */
function threadTimes(): { ran: number; waited: number } | undefined {
  const times = readSchedstat('/proc/thread-self/schedstat');
  return times && { ran: times.ranMs, waited: times.waitedMs };
}

const stalls: Stall[] = [];
let watching = false;

/**
 * Starts sampling this process's event loop and its thread pool (once per process; the timers keep
 * nothing alive). The pool is sampled with a 1-byte deflate, as our zlib transports use it: a pool
 * whose threads are all held by long work leaves every zlib stream of the worker waiting.
 */
export function watchLoopStalls(): void {
  if (watching) return;
  watching = true;
  // Durations come from the monotonic clock; the stamps a note shows are real-time, as the peers'.
  let last = Date.now();
  let lastMono = performance.now();
  let lastTimes = threadTimes();
  setInterval(() => {
    const now = Date.now();
    const mono = performance.now();
    const times = threadTimes();
    const step = now - last - (mono - lastMono);
    if (Math.abs(step) >= STALL_MS) recordStall({ what: 'real-time clock', from: Math.min(last, now), to: Math.max(last, now), stepMs: step });
    if (mono - lastMono - TICK_MS >= STALL_MS) {
      const spent = times && lastTimes ? { ranMs: times.ran - lastTimes.ran, waitedMs: times.waited - lastTimes.waited } : {};
      recordStall({ what: 'event loop', from: last, to: Math.max(now, last), ...spent });
    }
    last = now;
    lastMono = mono;
    lastTimes = times;
  }, TICK_MS).unref();
  let probing = false;
  setInterval(() => {
    if (probing) return;
    probing = true;
    const sent = Date.now();
    const sentMono = performance.now();
    deflate(ONE_BYTE, () => {
      probing = false;
      const now = Date.now();
      const waited = performance.now() - sentMono;
      // A blocked loop delays this callback too: the wait is the pool's only while the loop ran.
      const loopRan = performance.now() - lastMono - TICK_MS < STALL_MS && !stallsDuring(sent, now).some((s) => s.what === 'event loop');
      if (waited >= STALL_MS && loopRan) recordStall({ what: 'thread pool', from: sent, to: Math.max(now, sent) });
    });
  }, POOL_PROBE_MS).unref();
}

const ONE_BYTE = Buffer.from([0]);
/** How often the thread pool is probed (each probe is one tiny deflate). */
const POOL_PROBE_MS = 500;

/** Keeps a stall (exported for the tests, which cannot block a loop for seconds cheaply). */
export function recordStall(stall: Stall): void {
  stalls.push(stall);
  if (stalls.length > KEEP) stalls.shift();
}

/** The stalls that overlap [from, to] (epoch ms): this process's, or those of the list given. */
export function stallsDuring(from: number, to: number, among: readonly Stall[] = stalls): Stall[] {
  return among.filter((s) => s.to > from && s.from < to);
}

/** This process's stalls so far (a server host sends them to the test worker). */
export function recordedStalls(): readonly Stall[] {
  return [...stalls];
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** Whose stalls a note is about. */
const THIS_WORKER = 'this test worker, which runs our clients,';

/**
 * A line for a failing case's message, or undefined when its span held no stall. By default about
 * this process; `among` and `who` for another's (our servers' host process, server-host.ts).
 */
export function stallNote(from: number, to: number, among: readonly Stall[] = stalls, who = THIS_WORKER): string | undefined {
  const seen = stallsDuring(from, to, among);
  const steps = seen.filter((s) => s.stepMs !== undefined);
  const stopped = seen.filter((s) => s.stepMs === undefined);
  const notes: string[] = [];
  if (stopped.length > 0) {
    const spans = stopped.map((s) => `its ${s.what} for ${seconds(s.to - s.from)} s from ${clock(s.from)} to ${clock(s.to)} UTC${spentNote(s)}`).join(', ');
    notes.push(`${who} stalled within this case's span (${spans}): a timeout in it may be that stall, not the implementation's`);
  }
  if (steps.length > 0) {
    const jumps = steps.map((s) => `by ${signed(s.stepMs ?? 0)} s between ${clock(s.from)} and ${clock(s.to)} UTC`).join(', ');
    notes.push(`the real-time clock was stepped within this case's span (${jumps}), as ${who} saw it: times compared with the peer's across it are off by that much`);
  }
  return notes.length === 0 ? undefined : notes.join('; ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** What the loop's thread did during a stall: what to look at first. */
function spentNote(stall: Stall): string {
  if (stall.ranMs === undefined || stall.waitedMs === undefined) return '';
  const cause = stall.waitedMs >= stall.ranMs ? 'mostly waiting for a CPU: the machine was overloaded' : 'mostly running: work in the process held its loop';
  return ` (its thread ran ${seconds(stall.ranMs)} s and waited for a CPU ${seconds(stall.waitedMs)} s of it, ${cause})`;
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : '-'}${(Math.abs(ms) / 1000).toFixed(1)}`;
}
