// The bookkeeping of requests to another process: a reply settles the request of its id only, a
// deadline fails its request alone, and the end of the process fails all that still wait.
import { describe, expect, it } from 'vitest';
import { PendingReplies } from './pending-replies.ts';

describe('pending replies', () => {
  it('settle each request by its id, and say when a reply has no request waiting for it', async () => {
    const pending = new PendingReplies<string>('the peer');
    const first = pending.open();
    const second = pending.open();
    expect(pending.resolve(second.id, 'two')).toBe(true);
    expect(pending.resolve(first.id, 'one')).toBe(true);
    expect([await first.reply, await second.reply]).toEqual(['one', 'two']);
    expect(pending.resolve(first.id, 'again')).toBe(false);
    expect(pending.resolve(99, 'unknown')).toBe(false);
  });

  it('fail a request past its deadline, naming who and what, and leave the others waiting', async () => {
    const settled: number[] = [];
    const pending = new PendingReplies<string>('agent java', (left) => settled.push(left));
    const late = pending.open({ op: 'run', withinMs: 20 });
    const other = pending.open();
    await expect(late.reply).rejects.toThrow('agent java did not answer run within 20 ms (hung?)');
    expect(pending.size).toBe(1);
    // A reply after the deadline finds nothing to settle.
    expect(pending.resolve(late.id, 'too late')).toBe(false);
    pending.failAll(new Error('agent java exited with SIGKILL'));
    await expect(other.reply).rejects.toThrow('agent java exited with SIGKILL');
    expect(settled).toEqual([1, 0]);
  });
});
