import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../impls/wire/monotonic-clock.ts';
import { ServerLog } from './server-log.ts';

describe('ServerLog', () => {
  it('gives the lines of a time window, and the last lines', () => {
    const log = new ServerLog();
    log.write('before');
    const from = monotonicMs();
    log.write('inside 1');
    log.write('inside 2');
    const to = monotonicMs() + 0.001;
    expect(log.between(from, to)).toEqual(['inside 1', 'inside 2']);
    expect(log.last(2)).toEqual(['inside 1', 'inside 2']);
    expect(log.between(to, to + 1000)).toEqual([]);
  });

  it('keeps at most maxLines lines of at most maxLineChars characters, and counts the rest', () => {
    const log = new ServerLog(3, 5);
    for (let i = 0; i < 10; i++) log.write(`line number ${i}`);
    expect(log.last(10)).toEqual(['line …', 'line …', 'line …']);
    expect(log.dropped).toBe(7);
  });

  it('gives a failing case the lines of its window under a heading, the last ones when there are many', () => {
    const log = new ServerLog();
    const from = monotonicMs();
    for (let i = 0; i < 5; i++) log.write(`refused ${i}`);
    const window = { from, to: monotonicMs() + 0.001 };
    expect(log.forFailure(window, 2)).toEqual(["--- our server's log during the case (last 2 of 5) ---", 'refused 3', 'refused 4']);
    expect(log.forFailure(undefined, 1)).toEqual(["--- our server's log (last lines) ---", 'refused 4']);
    expect(log.forFailure({ from: window.to, to: window.to + 1 })).toEqual([]);
  });
});
