// Seeded mutations of valid requests: bit flips, bytes set at random, truncation, 4-byte fields and
// varints set to extremes, spans duplicated, deleted or inserted. Every iteration draws from its
// own generator, derived from (seed, cell, iteration), so an iteration is reproducible on its own
// whatever ran before it or beside it.
import { zigzagVarint } from '../bytes.ts';

/** A small, fast PRNG (sfc32) seeded from 32-bit words. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...words: number[]) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = 1;
    for (const word of words) {
      this.a ^= word >>> 0;
      for (let i = 0; i < 4; i++) this.next();
    }
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.below(256)));
  }
}

/** A stable 32-bit hash of a string (FNV-1a), to derive generators from names. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const EXTREME_U32 = [0, 1, 0x7f, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const EXTREME_LONGS = [0n, -1n, 1n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 40n, 2n ** 62n, -(2n ** 62n), 2n ** 63n - 1n, -(2n ** 63n)];

export interface Mutation {
  readonly op: string;
  readonly at: number;
  readonly detail?: string;
}

type Operator = (bytes: Buffer, random: Random, from: number) => { bytes: Buffer; mutation: Mutation };

function position(bytes: Buffer, random: Random, from: number): number {
  return from + random.below(Math.max(1, bytes.length - from));
}

const OPERATORS: Readonly<Record<string, Operator>> = {
  'flip-bits': (bytes, random, from) => {
    const out = Buffer.from(bytes);
    const at = position(out, random, from);
    const bits = 1 + random.below(8);
    for (let i = 0; i < bits && out.length > 0; i++) {
      const index = Math.min(out.length - 1, at + random.below(4));
      out[index] = (out[index] as number) ^ (1 << random.below(8));
    }
    return { bytes: out, mutation: { op: 'flip-bits', at, detail: `${bits} bit(s)` } };
  },
  'set-byte': (bytes, random, from) => {
    const out = Buffer.from(bytes);
    const at = position(out, random, from);
    if (at < out.length) out[at] = random.below(256);
    return { bytes: out, mutation: { op: 'set-byte', at } };
  },
  truncate: (bytes, random, from) => {
    const at = position(bytes, random, from);
    return { bytes: bytes.subarray(0, at), mutation: { op: 'truncate', at } };
  },
  'extreme-u32': (bytes, random, from) => {
    const out = Buffer.from(bytes);
    const at = Math.min(position(out, random, from), Math.max(0, out.length - 4));
    const value = random.pick(EXTREME_U32);
    if (out.length >= 4) out.writeUInt32BE(value, at);
    return { bytes: out, mutation: { op: 'extreme-u32', at, detail: `0x${value.toString(16)}` } };
  },
  'extreme-varint': (bytes, random, from) => {
    const at = position(bytes, random, from);
    const value = random.pick(EXTREME_LONGS);
    const replaced = 1 + random.below(4);
    const out = Buffer.concat([bytes.subarray(0, at), zigzagVarint(value), bytes.subarray(Math.min(bytes.length, at + replaced))]);
    return { bytes: out, mutation: { op: 'extreme-varint', at, detail: `${value} over ${replaced} byte(s)` } };
  },
  'duplicate-span': (bytes, random, from) => {
    const at = position(bytes, random, from);
    const span = bytes.subarray(at, at + 1 + random.below(64));
    const to = position(bytes, random, from);
    return { bytes: Buffer.concat([bytes.subarray(0, to), span, bytes.subarray(to)]), mutation: { op: 'duplicate-span', at, detail: `${span.length} byte(s) to ${to}` } };
  },
  'delete-span': (bytes, random, from) => {
    const at = position(bytes, random, from);
    const length = 1 + random.below(32);
    return { bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]), mutation: { op: 'delete-span', at, detail: `${length} byte(s)` } };
  },
  'insert-random': (bytes, random, from) => {
    const at = position(bytes, random, from);
    const inserted = random.bytes(1 + random.below(16));
    return { bytes: Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]), mutation: { op: 'insert-random', at, detail: inserted.toString('hex') } };
  },
};

export const OPERATOR_NAMES = Object.keys(OPERATORS);

/**
 * One to three mutations of a valid request. `bodyFrom` is where the request's own bytes start
 * (after an HTTP head or a SASL START): half the mutations land there or later, so most reach the
 * RPC decoder rather than the HTTP parser.
 */
export function mutate(request: Buffer, random: Random, bodyFrom: number): { bytes: Buffer; mutations: Mutation[] } {
  let bytes = request;
  const mutations: Mutation[] = [];
  const count = 1 + random.below(3);
  for (let i = 0; i < count; i++) {
    const operator = OPERATORS[random.pick(OPERATOR_NAMES)] as Operator;
    const from = random.below(2) === 0 ? Math.min(bodyFrom, bytes.length) : 0;
    const result = operator(bytes, random, from);
    bytes = result.bytes;
    mutations.push(result.mutation);
  }
  return { bytes, mutations };
}
