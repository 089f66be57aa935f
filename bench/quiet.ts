// A window starts once its pair is quiet. The agents of a pair were stopped while other pairs ran
// (Agent.hold), and what they had in hand resumes with them: a JVM's compiler threads go on with
// the methods its last window made hot, V8 with its concurrent compiles and collections. Before
// the CPU counters are read, the pair runs until a short slice passes in which its processes
// together spent almost nothing, so that this work is charged to no window; bounded, since a
// process that never settles must not stop the bench.

/** What can report its CPU so far: a process, every thread of it. */
export interface CpuSource {
  /** CPU time so far in nanoseconds, or undefined when it cannot be read. */
  cpuNs(): number | undefined;
}

export interface QuietGate {
  /** The slice over which the pair's CPU is looked at. */
  readonly sliceMs: number;
  /** Quiet: the pair spent at most this share of one CPU over a slice. */
  readonly busyShare: number;
  /** The most it waits. */
  readonly mostMs: number;
}

export const QUIET_GATE: QuietGate = { sliceMs: 20, busyShare: 0.05, mostMs: 2_000 };

/** Waits until the sources are quiet, or gate.mostMs; resolves with the milliseconds waited. */
export async function untilQuiet(sources: readonly CpuSource[], gate: QuietGate = QUIET_GATE): Promise<number> {
  const started = performance.now();
  const total = (): number | undefined => {
    let sum = 0;
    for (const source of sources) {
      const ns = source.cpuNs();
      if (ns === undefined) return undefined;
      sum += ns;
    }
    return sum;
  };
  let before = total();
  if (before === undefined) return 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, gate.sliceMs));
    const now = total();
    const waited = performance.now() - started;
    if (now === undefined || now - before <= gate.busyShare * gate.sliceMs * 1e6 || waited >= gate.mostMs) return waited;
    before = now;
  }
}
