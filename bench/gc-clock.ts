// What garbage collection has cost a Node agent's main thread so far: the pauses of its
// collections and how many were mark-compacts, from V8's own record of each collection
// (v8.GCProfiler). Several explanations of rows below 1.0 (explanations.json) name collections as
// their cause; with these figures the bench checks, in the same run, that the collections are there.
//
// GCProfiler rather than a PerformanceObserver of 'gc' entries: the observer runs JavaScript for
// every collection (an entry object and a callback: 1.6% of our Avro client's busy time at 64 KiB
// in a CPU profile), inside the very windows it measures; the profiler keeps its records in C++
// until it is stopped, which happens between windows.
//
// The pauses are a lower bound of what collection costs: they time the atomic pauses, not the
// incremental marking steps in between (a CPU profile of our Thrift server at 64 KiB put 1.7x
// these pauses under "(garbage collector)"), and V8's worker threads mark and sweep concurrently
// besides. Their CPU is no measure of collection either: they compile and free ArrayBuffer
// backing stores too (perf of our Avro HTTP server at 64 KiB, 2026-12-01: Turbofan, malloc/free
// and ArrayBuffer sweeping side by side; with --single-threaded-gc they kept 60-90% of their
// time). The count of mark-compacts is exact, and it is what the explanations check.
import { GCProfiler } from 'node:v8';

export interface GcTotals {
  /** Seconds the main thread spent in collection pauses (scavenges, mark-compacts). */
  readonly pauseSeconds: number;
  /** Full collections (mark-compacts). */
  readonly markCompacts: number;
}

let profiler: GCProfiler | undefined;
let pauseSeconds = 0;
let markCompacts = 0;

/**
 * The totals since the first call, which starts the count: call it once before a window opens.
 * Each call takes the profiler's records so far and starts it again.
 */
export function gcTotals(): GcTotals {
  if (profiler) {
    for (const gc of profiler.stop()?.statistics ?? []) {
      // cost: microseconds.
      pauseSeconds += gc.cost / 1e6;
      if (gc.gcType === 'MarkSweepCompact') markCompacts += 1;
    }
  }
  profiler = new GCProfiler();
  profiler.start();
  return { pauseSeconds, markCompacts };
}
