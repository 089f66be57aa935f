import { scrypt } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { recordStall, STALL_MS, stallNote, stallsDuring, watchLoopStalls } from './loop-stalls.ts';

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // the loop does not run: that is the point
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the watch on a worker\'s event loop', () => {
  it('sees a loop blocked for longer than a second, with when it began and ended', async () => {
    watchLoopStalls();
    await pause(250);
    const start = Date.now();
    blockFor(STALL_MS + 300);
    const end = Date.now();
    await pause(250);
    const seen = stallsDuring(start, end);
    // One stall, the loop's: the thread pool's probe waited on the loop too and is not blamed.
    expect(seen).toHaveLength(1);
    expect(seen[0]?.what).toBe('event loop');
    const [stall] = seen;
    expect(stall?.from).toBeLessThanOrEqual(start);
    expect(stall?.to).toBeGreaterThanOrEqual(end);
    expect((stall?.to ?? 0) - (stall?.from ?? 0)).toBeLessThan(STALL_MS + 300 + 1_000);
    // A busy thread never sleeps: it runs or waits for a CPU (other tests run beside this one).
    expect((stall?.ranMs ?? 0) + (stall?.waitedMs ?? 0)).toBeGreaterThan((STALL_MS + 300) * 0.8);
    expect(stallNote(start, end)).toMatch(/\(its thread ran \d+\.\d s and waited for a CPU \d+\.\d s of it, mostly /);
  });

  it('does not call a loop that keeps running a stall', async () => {
    watchLoopStalls();
    const start = Date.now();
    for (let i = 0; i < 10; i++) {
      blockFor(50);
      await pause(20);
    }
    expect(stallsDuring(start, Date.now())).toEqual([]);
  });

  it('names the stalls that overlap a case\'s span, and none outside it', () => {
    recordStall({ what: 'event loop', from: 1_000_000, to: 1_012_500 });
    expect(stallNote(990_000, 999_999)).toBeUndefined();
    expect(stallNote(1_012_500, 1_020_000)).toBeUndefined();
    const note = stallNote(1_005_000, 1_006_000);
    expect(note).toContain('its event loop for 12.5 s from 00:16:40.000 to 00:16:52.500 UTC');
    expect(note).toContain('this test worker, which runs our clients, stalled');
  });

  it('says whether the stalled loop\'s thread was running or waiting for a CPU', () => {
    recordStall({ what: 'event loop', from: 3_000_000, to: 3_002_600, ranMs: 150, waitedMs: 2_300 });
    expect(stallNote(3_001_000, 3_001_500)).toContain('its event loop for 2.6 s from 00:50:00.000 to 00:50:02.600 UTC (its thread ran 0.1 s and waited for a CPU 2.3 s of it, mostly waiting for a CPU: the machine was overloaded)');
    recordStall({ what: 'event loop', from: 4_000_000, to: 4_002_000, ranMs: 1_900, waitedMs: 50 });
    expect(stallNote(4_000_500, 4_001_000)).toContain('(its thread ran 1.9 s and waited for a CPU 0.1 s of it, mostly running: work in the process held its loop)');
  });

  it('tells a step of the real-time clock from a stall, and by how much it was stepped', async () => {
    watchLoopStalls();
    await pause(250);
    const before = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: before + 10_000 });
    try {
      await pause(350);
      const seen = stallsDuring(before, Date.now());
      expect(seen.map((s) => s.what)).toEqual(['real-time clock']);
      expect(seen[0]?.stepMs).toBeGreaterThan(10_000 - 200);
      expect(seen[0]?.stepMs).toBeLessThan(10_000 + 200);
      const note = stallNote(before + 5_000, before + 6_000);
      expect(note).toMatch(/the real-time clock was stepped within this case's span \(by \+(9\.[89]|10\.[0-2]) s between /);
      expect(note).not.toContain('stalled');
    } finally {
      vi.useRealTimers();
    }
  });

  it('notes a clock set back as a negative step', () => {
    recordStall({ what: 'real-time clock', from: 2_000_000, to: 2_003_000, stepMs: -3_000 });
    expect(stallNote(2_001_000, 2_001_500)).toContain('by -3.0 s between 00:33:20.000 and 00:33:23.000 UTC');
  });

  it('sees a thread pool whose threads are all held, and only the pool', async () => {
    watchLoopStalls();
    await pause(600);
    const start = Date.now();
    // libuv's four pool threads, each held by a key derivation (~2.5 s each on this project's 2
    // cores; half that, with p: 32, held the pool only ~1.2 s on an idle machine, too near STALL_MS).
    await Promise.all(Array.from({ length: 4 }, () => new Promise<void>((resolve) => {
      scrypt('x', 'y', 64, { N: 2 ** 14, r: 8, p: 64, maxmem: 2 ** 26 }, () => resolve());
    })));
    await pause(600);
    const seen = stallsDuring(start, Date.now());
    expect(seen.map((s) => s.what), JSON.stringify(seen)).toContain('thread pool');
    expect(seen.map((s) => s.what)).not.toContain('event loop');
  });
});
