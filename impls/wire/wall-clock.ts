// The wall clock our servers stamp what they see with (handshakes, wire chunks, log lines), to
// compare with the times the peers print ("# case <id> begins <epoch ms>"), which come from the
// system's real-time clock (Java's Instant.now(), Python's time.time_ns()).
//
// Why not `performance.timeOrigin + performance.now()` alone: that is the real-time clock read
// once, at process start, plus a monotonic clock. When the real-time clock is stepped while the
// process runs (a VM resumed or migrated, time set by a sync daemon), the two part for good, and
// every later stamp falls outside the peers' case windows. A CI run on 2026-12-01 failed so: all
// 21 cases that look for a reference client's handshakes within the case found none there, while
// the cases in the same cells that look at all handshakes so far passed (they were recorded).
// Date.now() follows the real-time clock but only to the whole millisecond, and a case on loopback
// often takes less than one; so the monotonic clock gives the fraction, re-anchored to Date.now()
// whenever the two disagree by more than the truncation and jitter can explain.

/** How far (ms) a stamp may sit from Date.now() before the anchor is taken again. */
const TOLERANCE_MS = 2;

export interface WallClockSources {
  /** Real-time milliseconds, truncated (Date.now). */
  readonly realtime: () => number;
  /** Monotonic milliseconds with a fraction (performance.now). */
  readonly monotonic: () => number;
  /** Real-time milliseconds at monotonic zero, as first guessed (performance.timeOrigin). */
  readonly origin: number;
}

/** A clock in epoch milliseconds to the microsecond that follows steps of the real-time clock. */
export function makeWallClock(sources: WallClockSources): () => number {
  let anchor = sources.origin;
  return () => {
    const elapsed = sources.monotonic();
    const stamp = anchor + elapsed;
    const now = sources.realtime();
    // Date.now() truncates: the true time is in [now, now + 1).
    if (stamp >= now - TOLERANCE_MS && stamp < now + 1 + TOLERANCE_MS) return stamp;
    anchor = now + 0.5 - elapsed;
    return now + 0.5;
  };
}

/** Wall-clock milliseconds to the microsecond, comparable with the peers' real-time stamps. */
export const wallClockMs: () => number = makeWallClock({
  realtime: Date.now,
  monotonic: () => performance.now(),
  origin: performance.timeOrigin,
});
