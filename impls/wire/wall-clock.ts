// The wall clock our servers stamp what they see with (handshakes, wire chunks, log lines), to
// compare with the times the peers print ("# case <id> begins <epoch ms>"), which come from the
// system's real-time clock (Java's Instant.now(), Python's time.time_ns()), to the microsecond.
// A handshake stamped a few milliseconds off lands in the neighbouring case's window.
//
// Why not `performance.timeOrigin + performance.now()` alone: that is the real-time clock read
// once, at process start, plus a monotonic clock. When the real-time clock is stepped while the
// process runs (a VM resumed or migrated, time set by a daemon or a hypervisor agent), the two
// part for good. A CI run on 2026-12-01 failed so: all 21 cases that look for a reference client's
// handshakes within the case found none there. Date.now() follows the real-time clock but only to
// the whole millisecond, and a case on loopback often takes less than one.
//
// So the stamps are timeOrigin + performance.now() while they agree with what Date.now() proves,
// and are re-anchored as soon as they do not. History: a first version re-anchored whenever the
// two differed by more than 2 ms from one read of each: a preemption between the reads looked like
// a step and moved later stamps a few ms ahead. The second tolerated any difference below 50 ms
// (NTP steps only above 128 ms), bracketing the monotonic read by two real-time reads. But steps
// smaller than that happen too: a CI run on 2026-12-04 failed nine reconnect cases in one slice,
// each time the first connection of a case counted in the case before it (our stamps a few ms
// behind the peers'), on a machine where nothing but such a step explains it.
//
// Now: the real-time reads bracket the monotonic one and prove an interval the true time lies in
// ([before, after + 1), Date.now() truncates); a stamp outside it, with the reads close enough
// that no preemption can explain it, is a step. The new anchor is taken at the edge where Date.now()
// turns to the next millisecond (spinning at most a few ms, which only a step costs), so it is
// again exact to a few microseconds, not to the half millisecond of a bracket's middle.

/** How far outside the proven interval a stamp may lie before it counts as a step (float noise). */
const SLACK_MS = 0.05;
/** A millisecond edge found between monotonic reads further apart than this is too blurred to anchor on. */
const EDGE_WIDTH_MS = 0.02;
/** How long a re-anchor may spin looking for a sharp edge before it settles for a bracket's middle. */
const EDGE_SEARCH_MS = 3;
const EDGE_SEARCH_READS = 1_000_000;

export interface WallClockSources {
  /** Real-time milliseconds, truncated (Date.now). */
  readonly realtime: () => number;
  /** Monotonic milliseconds with a fraction (performance.now). */
  readonly monotonic: () => number;
  /** Real-time milliseconds at monotonic zero, as first guessed (performance.timeOrigin). */
  readonly origin: number;
}

/** A step of the real-time clock a stamp proved: somewhere between the stamps `from` and `to`. */
export interface ClockStep {
  /** The stamp before the step (on the clock as it was). */
  readonly from: number;
  /** The first stamp after it (on the clock as it is now). */
  readonly to: number;
  /** By how much the real-time clock moved against the monotonic one (negative: set back). */
  readonly stepMs: number;
}

/** A clock in epoch milliseconds to the microsecond that follows steps of the real-time clock. */
export function makeWallClock(sources: WallClockSources, onStep?: (step: ClockStep) => void): () => number {
  let anchor = sources.origin;
  let last = anchor;
  const stamped = (stamp: number): number => {
    last = stamp;
    return stamp;
  };
  return () => {
    const before = sources.realtime();
    const elapsed = sources.monotonic();
    const stamp = anchor + elapsed;
    // The true time at the monotonic read is in [before, before + 1) plus the few ns between reads.
    if (stamp >= before - SLACK_MS && stamp < before + 1 + SLACK_MS) return stamped(stamp);
    const after = sources.realtime();
    // Preempted between the reads: no evidence either way; the next stamp looks again.
    if (after - before > 1) return stamped(stamp);
    if (stamp >= before - SLACK_MS && stamp < after + 1 + SLACK_MS) return stamped(stamp);
    const previous = { anchor, stamp: last };
    anchor = anchorAtEdge(sources) ?? (before + after + 1) / 2 - elapsed;
    const now = stamped(anchor + sources.monotonic());
    onStep?.({ from: Math.min(previous.stamp, now), to: Math.max(previous.stamp, now), stepMs: anchor - previous.anchor });
    return now;
  };
}

/**
 * The anchor (real time minus monotonic time) read where Date.now() turns over: the edge lies
 * between the monotonic reads around the two real-time reads that differ, so its monotonic time is
 * known to within their distance. Undefined when no edge came sharp enough in EDGE_SEARCH_MS.
 */
export function anchorAtEdge(sources: Pick<WallClockSources, 'realtime' | 'monotonic'>): number | undefined {
  let beforeLast = sources.monotonic();
  let last = sources.realtime();
  const giveUp = beforeLast + EDGE_SEARCH_MS;
  // Bounded in reads too, for a monotonic clock that does not move (a test's).
  for (let reads = 0; reads < EDGE_SEARCH_READS; reads++) {
    const beforeRead = sources.monotonic();
    const now = sources.realtime();
    const afterRead = sources.monotonic();
    if (now !== last) {
      // The real-time clock turned to `now` after the read of `last` and before this one.
      if (afterRead - beforeLast <= EDGE_WIDTH_MS) return now - (beforeLast + afterRead) / 2;
      last = now;
    }
    beforeLast = beforeRead;
    if (afterRead > giveUp || !Number.isFinite(afterRead)) return undefined;
  }
  return undefined;
}

const stepListeners: Array<(step: ClockStep) => void> = [];

/**
 * Calls `listener` with each step wallClockMs proves from now on (harness/vitest/loop-stalls.ts:
 * a failing case's message names a step within its window, as its handshakes may sit on either
 * side of it: a step back makes the peer's own windows overlap, which no stamp can undo).
 */
export function onWallClockStep(listener: (step: ClockStep) => void): void {
  stepListeners.push(listener);
}

/** Wall-clock milliseconds to the microsecond, comparable with the peers' real-time stamps. */
export const wallClockMs: () => number = makeWallClock(
  { realtime: Date.now, monotonic: () => performance.now(), origin: performance.timeOrigin },
  (step) => {
    for (const listener of stepListeners) listener(step);
  },
);
