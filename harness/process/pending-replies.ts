// Requests sent to another process and the replies that settle them, matched by id: the one
// bookkeeping of every process the suite and the bench ask things of (forked-child.ts over Node's
// IPC channel; bench/agents.ts over lines on stdin and stdout). A request may have a deadline; when
// the process ends, every request still waiting fails with why.

/** A request's deadline; `op` names the request in the error. */
export interface Deadline {
  readonly op: string;
  readonly withinMs: number;
}

interface Waiting<Reply> {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout | undefined;
}

export class PendingReplies<Reply> {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting<Reply>>();
  /** Who answers, in errors: "<who> did not answer ping within 2000 ms (hung?)". */
  private readonly who: string;
  /** Called whenever a request is settled, with how many still wait. */
  private readonly settled: ((left: number) => void) | undefined;

  constructor(who: string, settled?: (left: number) => void) {
    this.who = who;
    this.settled = settled;
  }

  /** How many requests wait for their reply. */
  get size(): number {
    return this.waiting.size;
  }

  /** A new id and the promise of its reply: send the request under that id right after. */
  open(deadline?: Deadline): { readonly id: number; readonly reply: Promise<Reply> } {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => {
      const timer = deadline && setTimeout(() => {
        this.take(id);
        reject(new Error(`${this.who} did not answer ${deadline.op} within ${deadline.withinMs} ms (hung?)`));
      }, deadline.withinMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
    return { id, reply };
  }

  /** Settles request `id` with its reply; false when none waits under that id (late, or unknown). */
  resolve(id: number, reply: Reply): boolean {
    const waiting = this.take(id);
    waiting?.resolve(reply);
    return waiting !== undefined;
  }

  /** Fails request `id` (its message could not be sent). */
  reject(id: number, error: Error): void {
    this.take(id)?.reject(error);
  }

  /** Fails every request still waiting: the process ended. */
  failAll(error: Error): void {
    for (const waiting of [...this.waiting.keys()].map((id) => this.take(id))) waiting?.reject(error);
  }

  private take(id: number): Waiting<Reply> | undefined {
    const waiting = this.waiting.get(id);
    if (!waiting) return undefined;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    this.settled?.(this.waiting.size);
    return waiting;
  }
}
