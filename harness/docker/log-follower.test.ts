import { describe, expect, it } from 'vitest';
import { ListenerLog } from './log-follower.ts';

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
});
