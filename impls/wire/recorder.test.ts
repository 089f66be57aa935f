import { describe, expect, it } from 'vitest';
import { ServerWireLog, teeRecorder, WireTrace } from './recorder.ts';

describe('WireTrace', () => {
  it('keeps the first bytes of each direction and counts all of them', () => {
    const trace = new WireTrace(4);
    trace.sent(Buffer.from('abc'));
    trace.sent(Buffer.from('defg'));
    trace.received(Buffer.from('xy'));
    expect(trace.sentBytes.toString()).toBe('abcd');
    expect(trace.receivedBytes.toString()).toBe('xy');
    expect(trace.totals).toEqual({ sent: 7, received: 2 });
  });

  it('copies what it keeps, so a transport reusing its buffer cannot change the dump', () => {
    const trace = new WireTrace();
    const chunk = Buffer.from('abc');
    trace.sent(chunk);
    chunk.fill(0);
    expect(trace.sentBytes.toString()).toBe('abc');
  });
});

describe('ServerWireLog', () => {
  it('cuts the bytes of every connection by time window: [from, to)', () => {
    let now = 0;
    const log = new ServerWireLog({ maxBytes: 1024, clock: () => now });
    const first = log.connection('127.0.0.1:1000');
    const second = log.connection('127.0.0.1:1001');
    now = 10.5; first.received(Buffer.from('req1'));
    now = 10.7; first.sent(Buffer.from('ans1'));
    now = 11.0; second.received(Buffer.from('req2'));
    now = 11.2; second.sent(Buffer.from('ans2'));
    expect(log.between(10, 11).map((c) => [c.connection, c.peer, c.received.toString(), c.sent.toString()]))
      .toEqual([[1, '127.0.0.1:1000', 'req1', 'ans1']]);
    expect(log.between(11, Number.POSITIVE_INFINITY).map((c) => [c.connection, c.received.toString(), c.sent.toString()]))
      .toEqual([[2, 'req2', 'ans2']]);
  });

  it('stops keeping bytes at its bound and says how many it dropped', () => {
    const log = new ServerWireLog({ maxBytes: 4, clock: () => 0 });
    const connection = log.connection('peer');
    connection.received(Buffer.from('abc'));
    connection.received(Buffer.from('defg'));
    expect(log.between(0, 1)[0]?.received.toString()).toBe('abc');
    expect(log.dropped).toBe(4);
  });

  it('keeps each chunk\'s first keepPerChunk bytes, and the window\'s prefix only while it is contiguous', () => {
    const log = new ServerWireLog({ keepPerChunk: 4, clock: () => 0 });
    const connection = log.connection('peer');
    connection.received(Buffer.from('ab'));
    connection.received(Buffer.from('cdefgh'));
    connection.received(Buffer.from('ij'));
    connection.sent(Buffer.from('xyz'));
    const [window] = log.between(0, 1);
    // 'ab' + 'cdef' (cut): 'ij' would not follow 'f' on the wire, so it is counted, not shown.
    expect([window?.received.toString(), window?.receivedTotal, window?.sent.toString(), window?.sentTotal]).toEqual(['abcdef', 10, 'xyz', 3]);
  });

  it('holds a bounded amount for large messages: 64 chunks of 1 MiB keep 64 x keepPerChunk and drop nothing', () => {
    const log = new ServerWireLog({ keepPerChunk: 4096, clock: () => 0 });
    const connection = log.connection('peer');
    const big = Buffer.alloc(1024 * 1024, 7);
    for (let i = 0; i < 64; i++) connection.received(big);
    const [window] = log.between(0, 1);
    expect([window?.received.length, window?.receivedTotal, log.dropped]).toEqual([4096, 64 * 1024 * 1024, 0]);
  });
});

it('teeRecorder tells every recorder', () => {
  const a = new WireTrace();
  const b = new WireTrace();
  const both = teeRecorder(a, b);
  both.sent(Buffer.from('x'));
  both.received(Buffer.from('y'));
  expect([a.sentBytes.toString(), b.sentBytes.toString(), a.receivedBytes.toString(), b.receivedBytes.toString()]).toEqual(['x', 'x', 'y', 'y']);
});
