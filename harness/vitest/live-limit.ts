// Runs a slice's groups of our servers (one group per peer release: its servers and the peer client
// plan that drives them) so that no more than a limit of servers lives at once. Each npm thrift
// server is a worker thread of ~25 MB (impls/npm-thrift/server.ts); a release-grid slice has ~220
// of them, which held 5.5 GB in one vitest worker while every release's servers lived until the
// slice file ended. A group's servers close when its plan has run, and the next group starts.
// The limit counts servers, not bytes: every implementation's count alike, which keeps it plain.

export interface LimitedTask<T> {
  /** Live units while the task runs (servers). */
  readonly size: number;
  readonly run: () => Promise<T>;
}

/**
 * Starts tasks in the order given, as many at once as fit under `limit` live units (a task larger
 * than the limit runs when nothing else does). Returns each task's own promise, in the same order;
 * a task that fails frees its units like one that succeeds.
 */
export function underLimit<T>(tasks: readonly LimitedTask<T>[], limit: number): Promise<T>[] {
  let live = 0;
  let next = 0;
  const settle: { resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];
  const promises = tasks.map((_, i) => new Promise<T>((resolve, reject) => { settle[i] = { resolve, reject }; }));
  const pump = (): void => {
    while (next < tasks.length) {
      const task = tasks[next] as LimitedTask<T>;
      if (live > 0 && live + task.size > limit) return;
      const i = next++;
      live += task.size;
      const done = (): void => {
        live -= task.size;
        pump();
      };
      let started: Promise<T>;
      try {
        started = task.run();
      } catch (error) {
        started = Promise.reject(error);
      }
      started.then((value) => { done(); settle[i]?.resolve(value); }, (error: unknown) => { done(); settle[i]?.reject(error); });
    }
  };
  pump();
  return promises;
}

/**
 * The longest each task may take from the start, waiting included, given each task's own bound:
 * its own bound when every task fits at once, else the bounds of the tasks before it and its own
 * summed (at least one task runs until the queue is empty, so none waits longer than that).
 */
export function worstFinish(tasks: readonly { readonly size: number; readonly bound: number }[], limit: number): number[] {
  const total = tasks.reduce((sum, t) => sum + t.size, 0);
  if (total <= limit) return tasks.map((t) => t.bound);
  let sum = 0;
  return tasks.map((t) => (sum += t.bound));
}
