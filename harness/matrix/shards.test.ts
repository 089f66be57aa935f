import { describe, expect, it } from 'vitest';
import { assignShards } from './shards.ts';

describe('assignShards', () => {
  it('gives every file exactly one shard, the heaviest files to different shards', () => {
    const files = [
      ...Array.from({ length: 6 }, (_, i) => ({ key: `suites/thrift/slice-${i + 1}.test.ts`, weight: 25_000 })),
      ...Array.from({ length: 3 }, (_, i) => ({ key: `suites/avro/slice-${i + 1}.test.ts`, weight: 3_000 })),
      ...['clients', 'servers-avro', 'servers-thrift', 'references-java', 'references-python'].map((name) => ({ key: `suites/hostile/${name}.test.ts`, weight: 500 })),
    ];
    const shards = assignShards(files, 6);
    expect([...shards.keys()].sort()).toEqual(files.map((f) => f.key).sort());
    const thriftShards = files.filter((f) => f.key.includes('thrift/slice')).map((f) => shards.get(f.key));
    expect(new Set(thriftShards).size).toBe(6);
    const load = (shard: number) => files.filter((f) => shards.get(f.key) === shard).reduce((sum, f) => sum + f.weight, 0);
    const loads = [1, 2, 3, 4, 5, 6].map(load);
    // vitest's hash-based dealing put two Thrift slices in one job: 50,000+ against an ideal of 28,000.
    expect(Math.max(...loads)).toBeLessThanOrEqual(28_000);
  });

  it('is the same whatever order the files come in (each job computes it alone)', () => {
    const files = [{ key: 'a', weight: 5 }, { key: 'b', weight: 5 }, { key: 'c', weight: 3 }, { key: 'd', weight: 9 }];
    const once = assignShards(files, 2);
    expect(assignShards([...files].reverse(), 2)).toEqual(once);
    expect(once.get('d')).toBe(1);
  });

  it('refuses a shard count that is not a positive integer, and a file listed twice', () => {
    expect(() => assignShards([{ key: 'a', weight: 1 }], 0)).toThrow(/positive integer/);
    expect(() => assignShards([{ key: 'a', weight: 1 }, { key: 'a', weight: 2 }], 2)).toThrow(/listed twice/);
  });
});
