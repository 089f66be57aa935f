import { describe, expect, it } from 'vitest';
import { rotate, roundRatios, summarize } from './stats.ts';

describe('summarize', () => {
  it('gives min, median and max, the median of an even count being the mean of the middle two', () => {
    expect(summarize([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3, n: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4, n: 4 });
  });

  it('ignores values that are not finite and has no summary of nothing', () => {
    expect(summarize([Number.NaN, Number.POSITIVE_INFINITY])).toBeUndefined();
    expect(summarize([5, Number.NaN])).toEqual({ min: 5, median: 5, max: 5, n: 1 });
  });
});

describe('roundRatios', () => {
  it('divides round by round, only over the rounds both sides have', () => {
    const ours = new Map([[0, 10], [1, 30], [2, 50]]);
    const theirs = new Map([[0, 20], [2, 25], [3, 7]]);
    expect(roundRatios(ours, theirs)).toEqual([0.5, 2]);
  });

  it('skips a round whose reference rate is zero', () => {
    expect(roundRatios(new Map([[0, 1]]), new Map([[0, 0]]))).toEqual([]);
  });
});

describe('rotate', () => {
  it('starts round r at item r, so that no contender always runs first', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate([], 3)).toEqual([]);
  });
});
