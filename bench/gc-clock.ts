// What garbage collection has cost a Node agent's main thread so far: the pauses of its
// collections and how many were mark-compacts, from the process's own perf_hooks 'gc' entries.
// Several explanations of rows below 1.0 (explanations.json) name collections as their cause; with
// these figures the bench checks, in the same run, that the collections are there.
//
// The pauses are a lower bound of what collection costs: the entries time the atomic pauses, not
// the incremental marking steps in between (a CPU profile of our Thrift server at 64 KiB put 1.7x
// these pauses under "(garbage collector)"), and V8's worker threads mark and sweep concurrently
// besides. Their CPU is no measure of collection either: they compile and free ArrayBuffer
// backing stores too (perf of our Avro HTTP server at 64 KiB, 2026-12-01: Turbofan, malloc/free
// and ArrayBuffer sweeping side by side; with --single-threaded-gc they kept 60-90% of their
// time). The count of mark-compacts is exact, and it is what the explanations check.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface GcTotals {
  /** Seconds the main thread spent in collections (scavenges, mark-compacts, incremental marking steps). */
  readonly pauseSeconds: number;
  /** Full collections (mark-compacts). */
  readonly markCompacts: number;
}

let pauseMs = 0;
let markCompacts = 0;
let observer: PerformanceObserver | undefined;

function count(entries: readonly PerformanceEntry[]): void {
  for (const entry of entries) {
    pauseMs += entry.duration;
    // A 'gc' entry's detail says which collection it was (PerformanceEntry's type does not declare it).
    if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts += 1;
  }
}

/**
 * The totals since the first call (which starts the count, so call it once before a window
 * opens). Node makes a collection's entry in an immediate after it, and hands it to observers
 * later still: so this waits for the immediates queued now, then takes the entries the observer
 * has not yet been given.
 */
export async function gcTotals(): Promise<GcTotals> {
  if (!observer) {
    observer = new PerformanceObserver((list) => count(list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
  }
  await new Promise(setImmediate);
  count(observer.takeRecords());
  return { pauseSeconds: pauseMs / 1000, markCompacts };
}
