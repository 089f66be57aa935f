import { describe, expect, it } from 'vitest';
import { gcTotals } from './gc-clock.ts';
import { fullCollection } from './testing/full-collection.ts';

/**
 * The mark-compacts counted across `collections` forced ones, in the first of three tries where
 * V8 ran none of its own in between: the unit project shares a process between test files
 * (isolate: false), so an earlier file's garbage can start one. Counting each collection once is
 * what is tested: a double count would show in every try.
 */
function countedAcross(collections: number): number[] {
  const counts: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = gcTotals();
    for (let i = 0; i < collections; i++) fullCollection();
    const after = gcTotals();
    expect(after.pauseSeconds).toBeGreaterThan(before.pauseSeconds);
    counts.push(after.markCompacts - before.markCompacts);
    if (counts.at(-1) === collections) break;
  }
  return counts;
}

describe('gcTotals', () => {
  it('counts the pauses and mark-compacts since its first call', () => {
    expect(countedAcross(2)).toContain(2);
  });

  it('never goes back, and counts a collection once however often it is asked', () => {
    expect(countedAcross(1)).toContain(1);
    const b = gcTotals();
    const c = gcTotals();
    expect(c.markCompacts).toBe(b.markCompacts);
    expect(c.pauseSeconds).toBeGreaterThanOrEqual(b.pauseSeconds);
  });
});
