// Bounded decoding of Avro binary values from the network.
//
// avsc decodes fast by not checking: its Tap reads past the end of the buffer and reports it only
// afterwards (tap.isValid()), and its array and map readers loop over whatever count the bytes
// declare. A count of 2^40 followed by nothing makes them loop (and allocate) ~2^40 times before
// anyone looks at the tap again. So every value we read from a peer goes through a GuardedTap:
// each declared length is checked against the bytes left before anything is allocated, each
// block count against the bytes its items need at least, and all collections of one message
// share a budget of items (the only bound for items that take no bytes, such as nulls).
import { createRequire } from 'node:module';
import { DEFAULT_LIMITS, LimitError } from './limits.ts';

/** The part of avsc's Tap (lib/utils.js) that its types' readers use. */
export interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string | undefined;
  isValid(): boolean;
}

type TapConstructor = new (buf: Buffer, pos?: number) => Tap;

// avsc does not export its Tap from the package root; its readers need a real one.
const AvscTap = (createRequire(import.meta.url)('avsc/lib/utils.js') as { Tap: TapConstructor }).Tap;

/** Items every collection read from this tap may still declare. */
const ITEMS_LEFT = Symbol('itemsLeft');
interface Budgeted { [ITEMS_LEFT]?: number }

/** Bytes values at least this long are returned as views of the message buffer. */
const VIEW_BYTES = 64 * 1024;

export class GuardedTap extends AvscTap {
  constructor(buf: Buffer, pos: number, maxCollectionItems: number) {
    super(buf, pos);
    (this as Budgeted)[ITEMS_LEFT] = maxCollectionItems;
  }

  readBytes(): Buffer | undefined {
    const length = this.readLength('bytes');
    const start = this.pos;
    this.pos += length;
    // Large values are views of the message, not copies (the message buffer is ours alone);
    // small ones are copied so that they do not keep a large message alive.
    const view = this.buf.subarray(start, this.pos);
    return length >= VIEW_BYTES ? view : Buffer.from(view);
  }

  skipBytes(): void {
    this.pos += this.readLength('bytes');
  }

  override readString(): string {
    const length = this.readLength('string');
    const start = this.pos;
    this.pos += length;
    return this.buf.toString('utf8', start, this.pos);
  }

  skipString(): void {
    this.pos += this.readLength('string');
  }

  private readLength(what: string): number {
    const length = this.readLong();
    const left = this.buf.length - this.pos;
    if (length < 0) throw new LimitError(`${what} declares a negative length (${length})`);
    if (length > left) throw new LimitError(`${what} declares ${length} bytes but only ${Math.max(0, left)} are left`);
    return length;
  }
}

/**
 * Reads one block header of an array or map and checks it: the count of items (a negative count
 * is followed by the block's size in bytes), against the bytes left and the item budget.
 * Returns the item count; 0 ends the collection.
 */
export function readBlockCount(tap: Tap, kind: 'array' | 'map', minItemBytes: number): number {
  let count = tap.readLong();
  if (count === 0) return 0;
  if (count < 0) {
    count = -count;
    readBlockSize(tap, kind);
  }
  checkCount(tap, kind, count, minItemBytes);
  return count;
}

/** Skips a whole array or map: blocks with a size are jumped over, the others item by item. */
export function skipBlocks(tap: Tap, kind: 'array' | 'map', minItemBytes: number, skipItem: (tap: Tap) => void): void {
  for (let count = tap.readLong(); count !== 0; count = tap.readLong()) {
    if (count < 0) {
      tap.pos += readBlockSize(tap, kind);
      continue;
    }
    checkCount(tap, kind, count, minItemBytes);
    for (let i = 0; i < count; i++) skipItem(tap);
  }
}

function readBlockSize(tap: Tap, kind: string): number {
  const size = tap.readLong();
  const left = tap.buf.length - tap.pos;
  if (size < 0 || size > left) throw new LimitError(`${kind} block declares a size of ${size} bytes but ${Math.max(0, left)} are left`);
  return size;
}

function checkCount(tap: Tap, kind: string, count: number, minItemBytes: number): void {
  const left = tap.buf.length - tap.pos;
  if (!Number.isSafeInteger(count)) throw new LimitError(`${kind} block declares ${count} items`);
  if (minItemBytes > 0 && count * minItemBytes > left) {
    throw new LimitError(`${kind} declares ${count} items of at least ${minItemBytes} byte${minItemBytes === 1 ? '' : 's'} each, but only ${Math.max(0, left)} bytes are left`);
  }
  const budgeted = tap as Budgeted;
  // A tap that is not ours (avsc's own fromBuffer, the data-file reader) gets the default budget.
  const itemsLeft = budgeted[ITEMS_LEFT] ?? DEFAULT_LIMITS.maxCollectionItems;
  if (count > itemsLeft) {
    throw new LimitError(`${kind} declares ${count} items, more than the ${itemsLeft} this message may still declare (limit maxCollectionItems)`);
  }
  budgeted[ITEMS_LEFT] = itemsLeft - count;
}

/** What avsc's types look like to minBytes (typeName and the parts that hold other types). */
interface TypeShape {
  readonly typeName: string;
  readonly size?: number;
  readonly fields?: readonly { readonly type: TypeShape }[];
  readonly underlyingType?: TypeShape;
}

const minBytesMemo = new WeakMap<object, number>();

/**
 * The fewest bytes a value of this (writer) type takes on the wire: a lower bound used to check
 * a declared count against the bytes left. Recursive records count as 0 while being measured,
 * which keeps the result a lower bound.
 */
export function minBytes(type: TypeShape): number {
  const known = minBytesMemo.get(type);
  if (known !== undefined) return known;
  const name = type.typeName;
  if (name === 'record' || name === 'error') {
    minBytesMemo.set(type, 0);
    let total = 0;
    for (const field of type.fields ?? []) total += minBytes(field.type);
    minBytesMemo.set(type, total);
    return total;
  }
  let result: number;
  if (name.startsWith('logical:')) result = type.underlyingType ? minBytes(type.underlyingType) : 0;
  else if (name === 'null') result = 0;
  else if (name === 'float') result = 4;
  else if (name === 'double') result = 8;
  else if (name === 'fixed') result = type.size ?? 0;
  else result = 1; // boolean, int, long, enum, string, bytes, array, map, union: one byte at least
  minBytesMemo.set(type, result);
  return result;
}
