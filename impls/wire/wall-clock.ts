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
// often takes less than one; so the stamps stay timeOrigin + performance.now() (exact to the
// microsecond, as the peers' stamps are) until they part from Date.now() by more than a step's
// worth, and only then are re-anchored on it.
//
// Why only then, and why the bracket: a first version re-anchored whenever the two differed by
// more than 2 ms, from one read of each clock. On a loaded machine the process can be preempted
// between the two reads; it then took its own preemption for a step and moved every later stamp
// a few milliseconds ahead. Most likely that is what failed three reconnect cases in a full run on
// 2026-12-01: one connection's request was stamped in one case's window, and our answer to it in
// the next case's, which the peer began only after reading that answer. NTP slews offsets below 128 ms and steps only
// above (chrony: 1 s), so 50 ms misses no step; and a re-anchor uses only a monotonic read with
// both real-time reads around it in the same millisecond or the next.

/** A difference between the two clocks smaller than this is no step. */
const STEP_MS = 50;

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
    const before = sources.realtime();
    const elapsed = sources.monotonic();
    const stamp = anchor + elapsed;
    if (Math.abs(stamp - before) < STEP_MS) return stamp;
    const after = sources.realtime();
    // Preempted between the reads: no evidence either way; the next stamp looks again.
    if (after - before > 1) return stamp;
    // The true time at `elapsed` lies in [before, after + 1): its middle, within a millisecond.
    anchor = (before + after + 1) / 2 - elapsed;
    return anchor + elapsed;
  };
}

/** Wall-clock milliseconds to the microsecond, comparable with the peers' real-time stamps. */
export const wallClockMs: () => number = makeWallClock({
  realtime: Date.now,
  monotonic: () => performance.now(),
  origin: performance.timeOrigin,
});
