import { describe, expect, it } from 'vitest';
import { gcTotals } from './gc-clock.ts';
import { fullCollection } from './testing/full-collection.ts';

describe('gcTotals', () => {
  it('counts the pauses and mark-compacts since its first call', () => {
    const before = gcTotals();
    fullCollection();
    fullCollection();
    const after = gcTotals();
    expect(after.pauseSeconds).toBeGreaterThan(before.pauseSeconds);
    expect(after.markCompacts - before.markCompacts).toBe(2);
  });

  it('never goes back, and counts a collection once however often it is asked', () => {
    const a = gcTotals();
    fullCollection();
    const b = gcTotals();
    const c = gcTotals();
    expect(b.pauseSeconds).toBeGreaterThan(a.pauseSeconds);
    expect(b.markCompacts - a.markCompacts).toBe(1);
    expect(c.markCompacts).toBe(b.markCompacts);
    expect(c.pauseSeconds).toBeGreaterThanOrEqual(b.pauseSeconds);
  });
});
