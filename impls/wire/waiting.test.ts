import { describe, expect, it } from 'vitest';
import { Waiting } from './waiting.ts';

/** How many slots the ring holds now (its growth is what the class promises to bound). */
function slots(waiting: Waiting<unknown>): number {
  return (waiting as unknown as { keys: number[] }).keys.length;
}

describe('Waiting', () => {
  it('gives each answer its call, in order or not, and forgets it once taken', () => {
    const waiting = new Waiting<string>();
    for (const n of [1, 2, 3]) waiting.add(n, `call ${n}`);
    expect(waiting.take(2)).toBe('call 2');
    expect(waiting.take(2)).toBeUndefined();
    expect(waiting.get(1)).toBe('call 1');
    expect(waiting.take(1)).toBe('call 1');
    expect(waiting.size).toBe(1);
    expect(waiting.take(4)).toBeUndefined();
    expect(waiting.take(3)).toBe('call 3');
    expect(waiting.size).toBe(0);
    expect(waiting.oldest()).toBeUndefined();
  });

  it('names the oldest call still waiting, after older ones were answered', () => {
    const waiting = new Waiting<string>();
    for (const n of [7, 8, 9]) waiting.add(n, `call ${n}`);
    waiting.take(8);
    expect(waiting.oldest()).toEqual({ key: 7, value: 'call 7' });
    waiting.take(7);
    expect(waiting.oldest()).toEqual({ key: 9, value: 'call 9' });
  });

  it('keeps many calls in the order they were made as it grows', () => {
    const waiting = new Waiting<number>();
    for (let n = 0; n < 1000; n++) waiting.add(n, n * 10);
    for (let n = 0; n < 1000; n += 2) expect(waiting.take(n)).toBe(n * 10);
    expect([...waiting.entries()].map(([key]) => key)).toEqual(Array.from({ length: 500 }, (_, i) => 2 * i + 1));
    expect(waiting.drain()).toEqual(Array.from({ length: 500 }, (_, i) => (2 * i + 1) * 10));
    expect(waiting.size).toBe(0);
    expect([...waiting.entries()]).toEqual([]);
  });

  it('stays small when one call waits while many after it are answered', () => {
    const waiting = new Waiting<string>();
    waiting.add(0, 'stuck');
    for (let n = 1; n <= 100_000; n++) {
      waiting.add(n, 'quick');
      expect(waiting.take(n)).toBe('quick');
    }
    expect(waiting.size).toBe(1);
    expect(waiting.get(0)).toBe('stuck');
    expect(slots(waiting)).toBeLessThanOrEqual(16);
  });

  it('agrees with a Map (insertion order) over random adds and takes', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const waiting = new Waiting<number>();
    const model = new Map<number, number>();
    let next = 0x7ffffff0; // crosses the wrap of a 31-bit sequence id
    for (let step = 0; step < 20_000; step++) {
      if (model.size === 0 || random(3) > 0) {
        const key = next;
        next = next === 0x7fffffff ? 1 : next + 1;
        waiting.add(key, step);
        model.set(key, step);
      } else {
        const keys = [...model.keys()];
        const key = random(4) === 0 ? -1 : (keys[random(keys.length)] as number);
        expect(waiting.take(key)).toBe(model.get(key));
        model.delete(key);
      }
      expect(waiting.size).toBe(model.size);
      const first = model.entries().next();
      expect(waiting.oldest()).toEqual(first.done ? undefined : { key: first.value[0], value: first.value[1] });
    }
    expect([...waiting.entries()]).toEqual([...model.entries()]);
  });

  it('refuses an undefined value, which would read as a slot already taken', () => {
    expect(() => new Waiting<undefined>().add(1, undefined)).toThrow(TypeError);
  });
});
