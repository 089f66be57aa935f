import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { closedLoop } from './load.ts';
import { fullCollection } from './testing/full-collection.ts';

const times = { warmupMs: 20, durationMs: 200, drainMs: 1_000 };

describe('closedLoop', () => {
  it('counts the calls of the window and says how busy the event loop was: near 1 when every call is CPU work', async () => {
    const spin = async (): Promise<void> => {
      const until = performance.now() + 1;
      while (performance.now() < until) { /* a call that is all CPU */ }
      // Then back to the event loop, as a call's I/O would (a promise alone would never let the window's timer run).
      await new Promise(setImmediate);
    };
    const result = await closedLoop([spin], times);
    expect(result.calls).toBeGreaterThan(0);
    expect(result.totalCalls).toBeGreaterThanOrEqual(result.calls);
    expect(result.loopBusy).toBeGreaterThan(0.8);
  });

  it('and low when the calls wait on something else', async () => {
    const result = await closedLoop([() => sleep(5)], times);
    expect(result.calls).toBeGreaterThan(0);
    expect(result.loopBusy).toBeLessThan(0.5);
  });

  it("counts the collections of its span: the main thread's pauses and the mark-compacts", async () => {
    let collections = 0;
    const collect = async (): Promise<void> => {
      if (collections < 3) {
        fullCollection();
        collections += 1;
      }
      await new Promise(setImmediate);
    };
    const started = performance.now();
    const result = await closedLoop([collect], times);
    expect(result.markCompacts).toBeGreaterThanOrEqual(3);
    expect(result.gcPauseSeconds).toBeGreaterThan(0);
    expect(result.gcPauseSeconds).toBeLessThan((performance.now() - started) / 1000);
  });

  it('stops at the first failing call and throws it', async () => {
    await expect(closedLoop([async () => { throw new Error('the echo differs'); }], times)).rejects.toThrow('the echo differs');
  });
});
