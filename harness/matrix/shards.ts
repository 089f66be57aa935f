// Which CI job (shard) runs which test file. vitest's own --shard deals files out by a hash of
// their paths, the same number to each job, whatever they hold; the release grid's files differ
// by a factor of 25 (a Thrift slice holds ~25,000 cases, a hostile file ~1,000), so two jobs got
// two Thrift slices each and another none (it took 30 s; one Thrift slice takes 14 min). Here
// files are dealt by weight instead: heaviest first, each to the lightest job so far (longest
// processing time first). Deterministic, so every job computes the same assignment on its own.

export interface Weighed {
  /** A stable name (the file's path in the repository). */
  readonly key: string;
  readonly weight: number;
}

/** The 1-based shard of each key; every key gets exactly one. */
export function assignShards(items: readonly Weighed[], count: number): Map<string, number> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`a shard count must be a positive integer, got ${count}`);
  const load = Array.from({ length: count }, () => 0);
  const assigned = new Map<string, number>();
  const ordered = [...items].sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key));
  for (const item of ordered) {
    if (assigned.has(item.key)) throw new Error(`${item.key} is listed twice`);
    let lightest = 0;
    for (let i = 1; i < count; i++) if ((load[i] as number) < (load[lightest] as number)) lightest = i;
    load[lightest] = (load[lightest] as number) + item.weight;
    assigned.set(item.key, lightest + 1);
  }
  return assigned;
}
