// A first-in first-out queue in a ring of slots: pushing and shifting allocate nothing once the
// ring has grown to the most items held at once. Array.prototype.shift moves every element, and
// V8 often leaves its fast path for its C++ fallback (Builtin_ArrayShift, seen by perf on every
// request of our Thrift server at int ×1); a queue of requests or of calls in flight is shifted
// once per call.

const INITIAL_SLOTS = 8;

export class Fifo<T> {
  /** A power of two long, so that a position wraps with a mask. */
  private slots: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) & (this.slots.length - 1)] = item;
    this.count++;
  }

  /** The oldest item, taken out; undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined; // no reference kept to what was taken
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.count--;
    return item;
  }

  /** The oldest item, left in; undefined when empty. */
  first(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  /** Takes every item out, oldest first. */
  drain(): T[] {
    const items: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) items.push(item);
    return items;
  }

  private grow(): void {
    const mask = this.slots.length - 1;
    const slots = new Array<T | undefined>(this.slots.length * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) slots[i] = this.slots[(this.head + i) & mask];
    this.slots = slots;
    this.head = 0;
  }
}
