import { describe, expect, it } from 'vitest';
import { underLimit, worstFinish } from './live-limit.ts';

/** A task that records when it starts and finishes when told. */
function gate(log: string[], name: string, size: number) {
  let finish: (ok: boolean) => void = () => undefined;
  const task = {
    size,
    run: () => {
      log.push(`start ${name}`);
      return new Promise<string>((resolve, reject) => {
        finish = (ok) => (ok ? resolve(name) : reject(new Error(name)));
      });
    },
  };
  return { task, finish: (ok = true) => finish(ok) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('groups of servers under a live limit', () => {
  it('starts every group at once when they fit together', async () => {
    const log: string[] = [];
    const groups = [gate(log, 'a', 10), gate(log, 'b', 20), gate(log, 'c', 30)];
    const done = underLimit(groups.map((g) => g.task), 60);
    expect(log).toEqual(['start a', 'start b', 'start c']);
    for (const g of groups) g.finish();
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c']);
  });

  it('starts the next group only when enough servers have closed, in queue order', async () => {
    const log: string[] = [];
    const [a, b, c, d] = [gate(log, 'a', 30), gate(log, 'b', 30), gate(log, 'c', 30), gate(log, 'd', 10)];
    const done = underLimit([a, b, c, d].map((g) => g?.task as { size: number; run: () => Promise<string> }), 64);
    expect(log).toEqual(['start a', 'start b']);
    b?.finish();
    await tick();
    // c fits now (a + c = 60); d would make 70, so it waits for a.
    expect(log).toEqual(['start a', 'start b', 'start c']);
    a?.finish();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d']);
    c?.finish(); d?.finish();
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs a group larger than the limit alone, and a failed group frees its place', async () => {
    const log: string[] = [];
    const [big, after] = [gate(log, 'big', 100), gate(log, 'after', 5)];
    const done = underLimit([big, after].map((g) => g?.task as { size: number; run: () => Promise<string> }), 64);
    expect(log).toEqual(['start big']);
    big?.finish(false);
    await expect(done[0]).rejects.toThrow('big');
    await tick();
    expect(log).toEqual(['start big', 'start after']);
    after?.finish();
    expect(await done[1]).toBe('after');
  });

  it('turns a task that throws before its promise into its rejection', async () => {
    const done = underLimit([{ size: 1, run: () => { throw new Error('no start'); } }, { size: 1, run: async () => 'next' }], 1);
    await expect(done[0]).rejects.toThrow('no start');
    expect(await done[1]).toBe('next');
  });
});

describe('the longest a group may wait and run', () => {
  it('is its own bound when all groups live at once', () => {
    expect(worstFinish([{ size: 10, bound: 60 }, { size: 20, bound: 90 }], 64)).toEqual([60, 90]);
  });

  it('adds the bounds of the groups before it when they must take turns', () => {
    expect(worstFinish([{ size: 40, bound: 60 }, { size: 40, bound: 90 }, { size: 1, bound: 5 }], 64)).toEqual([60, 150, 155]);
  });
});
