import { describe, expect, it } from 'vitest';
import { type CpuSource, untilQuiet } from './quiet.ts';

const GATE = { sliceMs: 5, busyShare: 0.05, mostMs: 200 };

/** A process that spends `busyNs` per reading for its first `busyReadings` readings, then nothing. */
function settling(busyReadings: number, busyNs: number): CpuSource & { readings: number } {
  let ns = 0;
  return {
    readings: 0,
    cpuNs() {
      if (this.readings++ < busyReadings) ns += busyNs;
      return ns;
    },
  };
}

describe('a window waits for its pair to be quiet', () => {
  it('until a slice passes in which the pair together spent at most busyShare of a CPU', async () => {
    // 4 ms of CPU per 5 ms slice for the first readings: busy; then nothing.
    const jvm = settling(4, 4_000_000);
    const node = settling(0, 0);
    const waited = await untilQuiet([jvm, node], GATE);
    expect(jvm.readings).toBe(5); // the first reading, three busy slices, one quiet slice
    expect(waited).toBeGreaterThanOrEqual(4 * GATE.sliceMs - 1);
    expect(waited).toBeLessThan(GATE.mostMs);
  });

  it('counts the pair together: two processes each under the share can be busy together', async () => {
    // 0.2 ms each per slice: 0.4 ms together, over 5% of a 5 ms slice (0.25 ms).
    const a = settling(3, 200_000);
    const b = settling(3, 200_000);
    await untilQuiet([a, b], GATE);
    expect(a.readings).toBe(4);
  });

  it('gives up at mostMs for a pair that never settles', async () => {
    const busy = settling(Number.POSITIVE_INFINITY, 5_000_000);
    const waited = await untilQuiet([busy], GATE);
    expect(waited).toBeGreaterThanOrEqual(GATE.mostMs);
    // It stops at the first slice that ends past mostMs (counted in readings, not in wall time).
    expect(busy.readings).toBeLessThanOrEqual(GATE.mostMs / GATE.sliceMs + 1);
  });

  it('does not wait for what it cannot read', async () => {
    expect(await untilQuiet([{ cpuNs: () => undefined }], GATE)).toBe(0);
  });
});
