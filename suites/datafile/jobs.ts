// The jobs every data-file participant runs, as data: the same JSON list goes to the reference
// peers (`datafile batch --jobs FILE`) and to our in-process runner. Paths are absolute and the
// work directory is mounted at the same path in the peer containers. `repeat` (write the records
// that many times over) and `discard` (decode without rendering) serve the benchmark.
export type Job =
  | { readonly op: 'write'; readonly schema: string; readonly codec: string; readonly records: string; readonly out: string; readonly blockSize?: number; readonly meta?: Readonly<Record<string, string>>; readonly repeat?: number }
  | { readonly op: 'append'; readonly records: string; readonly out: string }
  | { readonly op: 'read'; readonly in: string; readonly out: string; readonly readerSchema?: string; readonly discard?: boolean };

/** One job's outcome as a participant reports it. */
export interface JobResult {
  readonly ok: boolean;
  readonly error: string | null;
  readonly records: number;
  readonly seconds: number;
  /**
   * CPU time the participant's process spent over the same interval as `seconds`, every thread
   * (the JVM's compilers and collector too). Optional: a participant that does not report it, or
   * reports something that is not a finite number >= 0, has none.
   */
  readonly cpuSeconds?: number;
}

function isCpuSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function parseJobResults(stdout: string, count: number, failure: string): JobResult[] {
  const results: (JobResult | undefined)[] = new Array<JobResult | undefined>(count).fill(undefined);
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const { job, cpuSeconds, ...parsed } = JSON.parse(line) as JobResult & { job: number; cpuSeconds?: unknown };
      if (Number.isInteger(job) && job >= 0 && job < count) results[job] = { ...parsed, ...(isCpuSeconds(cpuSeconds) ? { cpuSeconds } : {}) };
    } catch {
      // not a result line (a peer's stray output): ignored, the job then counts as unreported
    }
  }
  return results.map((r) => r ?? { ok: false, error: `no result reported: ${failure}`, records: 0, seconds: 0 });
}
