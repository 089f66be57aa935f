import { describe, expect, it } from 'vitest';
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
    expect(seen).toHaveLength(1);
    const [stall] = seen;
    expect(stall?.from).toBeLessThanOrEqual(start);
    expect(stall?.to).toBeGreaterThanOrEqual(end);
    expect((stall?.to ?? 0) - (stall?.from ?? 0)).toBeLessThan(STALL_MS + 300 + 1_000);
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
    recordStall({ from: 1_000_000, to: 1_012_500 });
    expect(stallNote(990_000, 999_999)).toBeUndefined();
    expect(stallNote(1_012_500, 1_020_000)).toBeUndefined();
    const note = stallNote(1_005_000, 1_006_000);
    expect(note).toContain('did not run for 12.5 s from 00:16:40.000 to 00:16:52.500 UTC');
    expect(note).toContain('may be the worker\'s stall');
  });
});
