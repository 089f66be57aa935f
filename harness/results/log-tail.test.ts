import { describe, expect, it } from 'vitest';
import { lastBytes } from './log-tail.ts';

describe('lastBytes', () => {
  it('leaves a short text alone', () => {
    expect(lastBytes('a\nb', 10)).toBe('a\nb');
  });

  it('keeps whole last lines within the bound and says how much was cut', () => {
    const text = ['first line', 'second line', 'third'].join('\n');
    expect(lastBytes(text, 14)).toBe('[truncated: 23 earlier characters not shown]\nthird');
  });

  it('cuts inside a line when one line is longer than the bound', () => {
    expect(lastBytes('x'.repeat(10), 4)).toBe('[truncated: 6 earlier characters not shown]\nxxxx');
  });
});
