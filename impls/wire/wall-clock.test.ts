import { describe, expect, it } from 'vitest';
import { makeWallClock, wallClockMs } from './wall-clock.ts';

/** A real-time and a monotonic clock the test moves by hand. */
function fakeClocks(origin: number) {
  let real = origin;
  let mono = 0;
  return {
    advance(ms: number) {
      real += ms;
      mono += ms;
    },
    stepRealtime(ms: number) {
      real += ms;
    },
    clock: makeWallClock({ realtime: () => Math.floor(real), monotonic: () => mono, origin }),
  };
}

describe('wall clock', () => {
  it('keeps the fraction of a millisecond while the real-time clock runs steadily', () => {
    const clocks = fakeClocks(1_700_000_000_000.25);
    clocks.advance(0.125);
    expect(clocks.clock()).toBeCloseTo(1_700_000_000_000.375, 6);
    clocks.advance(1000.3);
    expect(clocks.clock()).toBeCloseTo(1_700_000_001_000.675, 6);
  });

  it('follows a step of the real-time clock forward, to within a millisecond', () => {
    const clocks = fakeClocks(1_700_000_000_000);
    clocks.advance(10);
    clocks.stepRealtime(7_000);
    const stamp = clocks.clock();
    expect(stamp).toBeGreaterThanOrEqual(1_700_000_007_010);
    expect(stamp).toBeLessThan(1_700_000_007_011);
    clocks.advance(0.25);
    expect(clocks.clock() - stamp).toBeCloseTo(0.25, 6);
  });

  it('follows a step of the real-time clock backward', () => {
    const clocks = fakeClocks(1_700_000_000_000);
    clocks.advance(500);
    clocks.stepRealtime(-3_000);
    const stamp = clocks.clock();
    expect(stamp).toBeGreaterThanOrEqual(1_699_999_997_500);
    expect(stamp).toBeLessThan(1_699_999_997_501);
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

  it('leaves a difference smaller than a step alone: the peers stamp to the microsecond too', () => {
    const clocks = fakeClocks(1_700_000_000_000.5);
    clocks.stepRealtime(20);
    clocks.advance(1.25);
    expect(clocks.clock()).toBeCloseTo(1_700_000_000_001.75, 6);
  });

  it('stays within the truncation of Date.now() on this machine', () => {
    for (let i = 0; i < 1_000; i++) {
      const before = Date.now();
      const stamp = wallClockMs();
      const after = Date.now();
      expect(stamp).toBeGreaterThanOrEqual(before - 2);
      expect(stamp).toBeLessThan(after + 3);
    }
  });
});
