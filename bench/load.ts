// The closed loop every Node client of the bench runs (the peers' bench roles do the same in their
// own language): each slot makes one call after another; calls that complete while the window is
// open are counted. Time comes from performance.now(); the window opens after the warm-up.
import { setTimeout as sleep } from 'node:timers/promises';
import { gcTotals } from './gc-clock.ts';

export interface LoopResult {
  /** Calls completed inside the measured window, and its length. */
  readonly calls: number;
  readonly seconds: number;
  /** Every call completed from the start of the warm-up to the end of the drain. */
  readonly totalCalls: number;
  /** This process's CPU time over that same span (every thread). */
  readonly cpuSeconds: number;
  /** The share of that span in which this process's event loop was busy (not waiting in epoll). */
  readonly loopBusy: number;
  /** Over that span: the main thread's collection pauses and the mark-compacts (gc-clock.ts). */
  readonly gcPauseSeconds: number;
  readonly markCompacts: number;
}

type Phase = 'warmup' | 'measure' | 'stop';

export interface LoopTimes {
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How long to wait for outstanding calls after the window closed. */
  readonly drainMs: number;
}

/** Sleeps in short steps so that a failure ends the wait early. */
async function sleepWatching(ms: number, failed: () => boolean): Promise<void> {
  const until = performance.now() + ms;
  while (!failed()) {
    const left = until - performance.now();
    if (left <= 0) return;
    await sleep(Math.min(left, 50));
  }
}

/**
 * Runs `slots` (each a function making one checked call) in a closed loop and counts the calls
 * completed inside the measured window. The first failing call stops every slot and is thrown.
 */
export async function closedLoop(slots: ReadonlyArray<() => Promise<void>>, times: LoopTimes): Promise<LoopResult> {
  const gcBefore = gcTotals();
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  let phase: Phase = 'warmup';
  let calls = 0;
  let totalCalls = 0;
  let failure: { error: unknown } | undefined;
  const loops = slots.map(async (slot) => {
    try {
      while (phase !== 'stop' && failure === undefined) {
        await slot();
        totalCalls += 1;
        if (phase === 'measure') calls += 1;
      }
    } catch (error) {
      failure ??= { error };
    }
  });
  const failed = (): boolean => failure !== undefined;
  await sleepWatching(times.warmupMs, failed);
  const started = performance.now();
  phase = 'measure';
  await sleepWatching(times.durationMs, failed);
  phase = 'stop';
  const ended = performance.now();
  const counted = calls;
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.all(loops).then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), times.drainMs); }),
  ]);
  clearTimeout(timer);
  const cpu = process.cpuUsage(cpuBefore);
  const loop = performance.eventLoopUtilization(loopBefore);
  const gc = gcTotals();
  if (failure) throw failure.error;
  if (!drained) throw new Error(`calls still outstanding ${times.drainMs} ms after the window closed`);
  return { calls: counted, seconds: (ended - started) / 1000, totalCalls, cpuSeconds: (cpu.user + cpu.system) / 1e6, loopBusy: loop.utilization,
    gcPauseSeconds: gc.pauseSeconds - gcBefore.pauseSeconds, markCompacts: gc.markCompacts - gcBefore.markCompacts,
  };
}
