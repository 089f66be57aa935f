import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.ts';

describe('Fifo', () => {
  it('gives items back in the order they came, across the ring\'s wrap and its growth', () => {
    const fifo = new Fifo<number>();
    const expected: number[] = [];
    const got: number[] = [];
    let next = 0;
    // Uneven pushes and shifts, so the head goes round the ring while it grows from 8 slots to 64.
    for (let round = 0; round < 200; round++) {
      const pushes = (round * 7) % 5 + (round < 100 ? 1 : 0);
      for (let i = 0; i < pushes; i++) {
        fifo.push(next);
        expected.push(next++);
      }
      const shifts = (round * 3) % 4;
      for (let i = 0; i < shifts && fifo.length > 0; i++) got.push(fifo.shift() as number);
      expect(fifo.length).toBe(expected.length - got.length);
    }
    got.push(...fifo.drain());
    expect(got).toEqual(expected);
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.first()).toBeUndefined();
  });

  it('shows the oldest item without taking it', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    expect(fifo.first()).toBe('a');
    expect(fifo.length).toBe(2);
    expect(fifo.shift()).toBe('a');
    expect(fifo.first()).toBe('b');
  });
});
