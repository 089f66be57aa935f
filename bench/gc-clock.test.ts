import { describe, expect, it } from 'vitest';
import { gcTotals } from './gc-clock.ts';
import { fullCollection } from './testing/full-collection.ts';

describe('gcTotals', () => {
  it('counts the pauses and mark-compacts since its first call, including entries the observer has not yet been given', async () => {
    const before = await gcTotals();
    // Synchronous: no entry of these can have reached the observer's callback before the second call.
    fullCollection();
    fullCollection();
    const after = await gcTotals();
    expect(after.pauseSeconds).toBeGreaterThan(before.pauseSeconds);
    expect(after.markCompacts - before.markCompacts).toBe(2);
  });

  it('never goes back', async () => {
    const a = await gcTotals();
    const b = await gcTotals();
    expect(b.pauseSeconds).toBeGreaterThanOrEqual(a.pauseSeconds);
    expect(b.markCompacts).toBeGreaterThanOrEqual(a.markCompacts);
  });
});
