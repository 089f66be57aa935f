import { describe, expect, it } from 'vitest';
import { anchorAtEdge, makeWallClock, wallClockMs } from './wall-clock.ts';

/**
 * A real-time and a monotonic clock the test moves by hand. Each monotonic read also lets `tick`
 * ms pass, as reads take time on a real machine (the edge search spins on them).
 */
function fakeClocks(origin: number, tick = 0.0005) {
  let mono = 0;
  // What the real-time clock reads minus the true time: a step changes it.
  let realOffset = 0;
  const sources = {
    realtime: () => Math.floor(origin + mono + realOffset),
    monotonic: () => {
      mono += tick;
      return mono;
    },
    origin,
  };
  return {
    advance(ms: number) {
      mono += ms;
    },
    stepRealtime(ms: number) {
      realOffset += ms;
    },
    /** What the real-time clock would read now, unrounded. */
    trueRealtime: () => origin + mono + realOffset,
    sources,
    clock: makeWallClock(sources),
  };
}

describe('wall clock', () => {
  it('keeps the fraction of a millisecond while the real-time clock runs steadily', () => {
    const clocks = fakeClocks(1_700_000_000_000.25);
    clocks.advance(0.125);
    expect(clocks.clock()).toBeCloseTo(1_700_000_000_000.375, 2);
    clocks.advance(1000.3);
    expect(clocks.clock()).toBeCloseTo(1_700_000_001_000.675, 2);
  });

  it('follows a step of the real-time clock forward, to within microseconds', () => {
    const clocks = fakeClocks(1_700_000_000_000);
    clocks.advance(10);
    clocks.stepRealtime(7_000);
    const stamp = clocks.clock();
    expect(Math.abs(stamp - clocks.trueRealtime())).toBeLessThan(0.005);
    clocks.advance(0.25);
    expect(clocks.clock() - stamp).toBeCloseTo(0.25, 2);
  });

  it('follows a step of the real-time clock backward', () => {
    const clocks = fakeClocks(1_700_000_000_000);
    clocks.advance(500);
    clocks.stepRealtime(-3_000);
    expect(Math.abs(clocks.clock() - clocks.trueRealtime())).toBeLessThan(0.005);
  });

  it('follows a step of a few milliseconds: one is enough to move a handshake into the next case', () => {
    for (const step of [2.5, -2.5, 4, 20, -20, 49]) {
      const clocks = fakeClocks(1_700_000_000_000.5);
      clocks.advance(3.3);
      clocks.stepRealtime(step);
      clocks.advance(1.25);
      expect(Math.abs(clocks.clock() - clocks.trueRealtime()), `a step of ${step} ms`).toBeLessThan(0.005);
    }
  });

  it('reports each step it follows, by how much and between which stamps', () => {
    const clocks = fakeClocks(1_700_000_000_000);
    const steps: Array<{ from: number; to: number; stepMs: number }> = [];
    const clock = makeWallClock(clocks.sources, (step) => steps.push(step));
    clocks.advance(5);
    const before = clock();
    clocks.advance(5);
    clocks.stepRealtime(-8);
    const after = clock();
    clocks.advance(5);
    clock();
    expect(steps).toHaveLength(1);
    expect(steps[0]?.stepMs).toBeCloseTo(-8, 2);
    expect(steps[0]?.from).toBe(after);
    expect(steps[0]?.to).toBe(before);
  });

  it('leaves a disagreement Date.now() cannot prove alone: the anchor keeps its microseconds', () => {
    // Off by 0.3 ms, at a moment where the truncated reads allow it: no re-anchor, no spin.
    const origin = 1_700_000_000_000.1;
    let reads = 0;
    const realtime = (): number => {
      reads++;
      return Math.floor(origin + 5.2 + 0.3);
    };
    const clock = makeWallClock({ realtime, monotonic: () => 5.2, origin });
    expect(clock()).toBeCloseTo(origin + 5.2, 6);
    expect(reads).toBe(1);
  });

  it('keeps its anchor through a preemption between its reads, however long', () => {
    // Scripted reads: each stamp reads the real-time clock, then the monotonic one (then the
    // real-time clock again when the two seem to part). The process is preempted before a
    // monotonic read: the real-time value read before it is that much behind.
    const origin = 1_700_000_000_000;
    const reads: number[] = [];
    let mono = 0;
    const clock = makeWallClock({ realtime: () => reads.shift() ?? Number.NaN, monotonic: () => mono, origin });
    for (const preemptedMs of [3, 20, 80, 5_000]) {
      mono += 1_000;
      reads.push(Math.floor(origin + mono - preemptedMs), Math.floor(origin + mono));
      expect(clock()).toBe(origin + mono);
      reads.length = 0;
      mono += 0.25;
      reads.push(Math.floor(origin + mono));
      expect(clock()).toBe(origin + mono);
    }
  });

  it('anchors at the edge where the real-time clock turns over, to within the reads around it', () => {
    const clocks = fakeClocks(1_700_000_000_000.7, 0.0003);
    clocks.stepRealtime(12.34);
    const anchor = anchorAtEdge(clocks.sources);
    expect(anchor).toBeDefined();
    expect(Math.abs((anchor as number) + clocks.sources.monotonic() - clocks.trueRealtime())).toBeLessThan(0.002);
  });

  it('finds no edge when every read takes longer than an edge may be blurred, and gives up within its bound', () => {
    const clocks = fakeClocks(1_700_000_000_000, 0.05);
    const started = clocks.sources.monotonic();
    expect(anchorAtEdge(clocks.sources)).toBeUndefined();
    expect(clocks.sources.monotonic() - started).toBeLessThan(4);
  });

  it('falls back to the middle of its bracket when no edge is sharp, and still follows the step', () => {
    const clocks = fakeClocks(1_700_000_000_000, 0.05);
    clocks.stepRealtime(30);
    expect(Math.abs(clocks.clock() - clocks.trueRealtime())).toBeLessThan(1.1);
  });

  it('gives up on a monotonic clock that does not move', () => {
    expect(anchorAtEdge({ realtime: () => 5, monotonic: () => 1 })).toBeUndefined();
  });

  it('stays within the truncation of Date.now() on this machine', () => {
    for (let i = 0; i < 1_000; i++) {
      const before = Date.now();
      const stamp = wallClockMs();
      const after = Date.now();
      expect(stamp).toBeGreaterThanOrEqual(before - 0.06);
      expect(stamp).toBeLessThan(after + 1.06);
    }
  });

  it('finds a sharp edge on this machine within its bound', () => {
    const started = performance.now();
    const anchor = anchorAtEdge({ realtime: Date.now, monotonic: () => performance.now() });
    expect(performance.now() - started).toBeLessThan(50);
    // Preemption can blur every edge in 3 ms on a loaded machine; when one is found it agrees with Date.now().
    if (anchor !== undefined) {
      const before = Date.now();
      const stamp = anchor + performance.now();
      expect(stamp).toBeGreaterThanOrEqual(before - 0.06);
      expect(stamp).toBeLessThan(Date.now() + 1.06);
    }
  });
});
