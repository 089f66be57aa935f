// The calls a connection waits on, by number (Thrift's sequence id, Avro Netty's serial), in the
// order they were made: a ring of slots that allocates nothing per call.
//
// Why not a Map. A client's Map of calls in flight lives as long as its connection, so V8 soon
// moves it to the old generation, and a Map's table is reallocated in the generation the Map is in
// (OrderedHashTable::Rehash). With one call in flight, a set and a delete per call reallocated the
// table about once a call: ~150 bytes of old-generation allocation per call. Allocating in the old
// generation is where V8 checks its limit for starting a full collection, and that limit counts
// the ArrayBuffer memory allocated since the last one; with a 64 KiB answer per call our client
// ran a mark-compact every ~200 calls where the same loop without the Map ran one every ~1,000
// (impls/thrift/profile/README.md, thirteenth pass).
//
// Answers usually come in the order of the calls, so a lookup starts at the oldest call; an answer
// out of order costs a scan over the calls made before it (at most the calls in flight).

const INITIAL_SLOTS = 8;

export class Waiting<T> {
  private keys: number[] = new Array<number>(INITIAL_SLOTS).fill(0);
  private values: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  /** Slot of the oldest call (or of a taken one not yet passed over). */
  private head = 0;
  /** Slots in use from head on, taken ones still among them. */
  private used = 0;
  private live = 0;

  /** Calls waiting. */
  get size(): number {
    return this.live;
  }

  /** Adds a call; its number must not be waiting already. */
  add(key: number, value: T): void {
    if (value === undefined) throw new TypeError('Waiting.add: a waiting call needs a value');
    if (this.used === this.keys.length) this.makeRoom();
    const slot = (this.head + this.used) & (this.keys.length - 1);
    this.keys[slot] = key;
    this.values[slot] = value;
    this.used++;
    this.live++;
  }

  get(key: number): T | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** Removes the call with this number and returns it (undefined when none waits). */
  take(key: number): T | undefined {
    const slot = this.find(key);
    if (slot < 0) return undefined;
    const value = this.values[slot];
    this.values[slot] = undefined;
    this.live--;
    this.passTaken();
    return value;
  }

  /** The oldest call waiting (every call has the same timeout: the first to time out). */
  oldest(): { key: number; value: T } | undefined {
    if (this.live === 0) return undefined;
    return { key: this.keys[this.head] as number, value: this.values[this.head] as T };
  }

  /** The calls waiting, oldest first. */
  *entries(): IterableIterator<[number, T]> {
    const mask = this.keys.length - 1;
    for (let i = 0; i < this.used; i++) {
      const slot = (this.head + i) & mask;
      const value = this.values[slot];
      if (value !== undefined) yield [this.keys[slot] as number, value];
    }
  }

  /** Empties it and returns what was waiting, oldest first. */
  drain(): T[] {
    const all = [...this.entries()].map(([, value]) => value);
    this.values.fill(undefined);
    this.head = 0;
    this.used = 0;
    this.live = 0;
    return all;
  }

  private find(key: number): number {
    const mask = this.keys.length - 1;
    for (let i = 0; i < this.used; i++) {
      const slot = (this.head + i) & mask;
      if (this.keys[slot] === key && this.values[slot] !== undefined) return slot;
    }
    return -1;
  }

  /** Moves the head past taken calls, so that it is the oldest waiting one. */
  private passTaken(): void {
    const mask = this.keys.length - 1;
    while (this.used > 0 && this.values[this.head] === undefined) {
      this.head = (this.head + 1) & mask;
      this.used--;
    }
  }

  /**
   * Full: the waiting calls are copied, in order, to the front of a ring twice as large, or of the
   * same size when at least half its slots held calls already taken (a call left waiting while many
   * after it were answered), so that the ring grows with the calls waiting, not with the numbers passed.
   */
  private makeRoom(): void {
    const size = this.live * 2 <= this.keys.length ? this.keys.length : this.keys.length * 2;
    const keys = new Array<number>(size).fill(0);
    const values = new Array<T | undefined>(size).fill(undefined);
    let at = 0;
    for (const [key, value] of this.entries()) {
      keys[at] = key;
      values[at] = value;
      at++;
    }
    this.keys = keys;
    this.values = values;
    this.head = 0;
    this.used = at;
  }
}
