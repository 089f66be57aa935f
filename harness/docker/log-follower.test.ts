import { describe, expect, it } from 'vitest';
import { collapseRepeats, ListenerLog } from './log-follower.ts';

describe('a peer server log kept in memory', () => {
  it('gives one listener its own lines and the unprefixed ones, in order, and not other listeners\' lines', () => {
    const log = new ListenerLog();
    log.push('out', 'starting\n[a] one\n[b] two\n');
    log.push('err', 'Traceback\n[a] thr');
    log.push('err', 'ee\n[thrift server] noise\n');
    log.push('out', 'READY\n');
    expect(log.of('a', 100)).toBe('starting\n[a] one\nTraceback\n[a] three\nREADY');
    expect(log.of('b', 100)).toBe('starting\n[b] two\nTraceback\nREADY');
    expect(log.of('a', 2)).toBe('[a] three\nREADY');
    expect(log.tail(2)).toBe('[thrift server] noise\nREADY');
  });

  it('keeps an unfinished last line once the stream ends', () => {
    const log = new ListenerLog();
    log.push('out', '[a] done\n[a] cut');
    expect(log.of('a', 10)).toBe('[a] done');
    log.end();
    expect(log.of('a', 10)).toBe('[a] done\n[a] cut');
  });

  it('shows a run of one repeated line once, with how many more times, so that a tail holds more than one line', () => {
    const log = new ListenerLog();
    log.push('err', 'started\n');
    for (let i = 0; i < 30; i++) log.push('err', '[a] [main] closing to /127.0.0.1:1\n');
    for (let i = 0; i < 2; i++) log.push('err', '[a] [call] closing to /127.0.0.1:1\n');
    log.push('err', '[a] the last word\n');
    expect(log.of('a', 4)).toBe('[the line above 29 more times]\n[a] [call] closing to /127.0.0.1:1\n[a] [call] closing to /127.0.0.1:1\n[a] the last word');
    expect(log.of('a', 10)).toBe('started\n[a] [main] closing to /127.0.0.1:1\n[the line above 29 more times]\n[a] [call] closing to /127.0.0.1:1\n[a] [call] closing to /127.0.0.1:1\n[a] the last word');
  });

  it('leaves lines that differ, and pairs, as they are', () => {
    expect(collapseRepeats(['x', 'y', 'y', 'z', 'x'])).toEqual(['x', 'y', 'y', 'z', 'x']);
    expect(collapseRepeats(['x', 'x', 'x'])).toEqual(['x', '[the line above 2 more times]']);
    expect(collapseRepeats([])).toEqual([]);
  });
});
