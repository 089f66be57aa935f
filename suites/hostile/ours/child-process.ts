// The test side of ours/child.ts: starts the child with a bounded JavaScript heap, sends it
// commands with a deadline each, and says how it ended when it dies (exit code, signal, the last
// lines of its stderr). A child that hangs fails the command that waited for it.
import { fork, type ChildProcess } from 'node:child_process';
import type { CallCommand, CallOutcome, Command, ListenCommand } from './child.ts';

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly failed?: string;
}

export class OursProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private ending: string | undefined;
  private stderrTail = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      clearTimeout(waiter.timer);
      if (reply.failed !== undefined) waiter.reject(new Error(reply.failed));
      else waiter.resolve(reply.result);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('exit', (code, signal) => {
      this.ending = `our process exited (code ${code}, signal ${signal})${this.stderrTail ? `: ${this.stderrTail.split('\n').filter(Boolean).slice(-4).join(' | ')}` : ''}`;
      for (const [id, waiter] of this.waiting) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(this.ending));
        this.waiting.delete(id);
      }
    });
  }

  /** heapMb bounds the JavaScript heap, so that a runaway allocation ends quickly. */
  static start(heapMb = 512): Promise<OursProcess> {
    const child = fork(new URL('./child.ts', import.meta.url), [], {
      execArgv: [`--max-old-space-size=${heapMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const handle = new OursProcess(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('our child process did not start within 10 s')), 10_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve(handle);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`our child process exited at start (code ${code})`));
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** How the child ended, when it has. */
  get exited(): string | undefined {
    return this.ending;
  }

  private request<T>(command: Command, timeoutMs: number): Promise<T> {
    if (this.ending) return Promise.reject(new Error(this.ending));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`our child process did not answer ${command.op} within ${timeoutMs} ms (hung?)`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      this.child.send({ id, ...command });
    });
  }

  async listen(command: Omit<ListenCommand, 'op'>): Promise<number> {
    return (await this.request<{ port: number }>({ op: 'listen', ...command }, 10_000)).port;
  }

  /** Our client's call, made in the child; the deadline covers the call's own timeout and a margin. */
  call(command: Omit<CallCommand, 'op'>): Promise<CallOutcome> {
    return this.request<CallOutcome>({ op: 'call', ...command }, command.timeoutMs + 5_000);
  }

  /**
   * Whether the child still answers within `ms` (its event loop is not stuck). One that does not
   * is killed, and `exited` says why.
   */
  async responsive(ms = 2_000): Promise<boolean> {
    if (this.ending) return false;
    try {
      await this.request({ op: 'ping' }, ms);
      return true;
    } catch {
      this.ending ??= `our process stopped answering (its event loop was stuck for ${ms} ms); killed`;
      this.child.kill('SIGKILL');
      return false;
    }
  }

  /** Closes the child's servers and ends it; resolves once its exit is seen. */
  async stop(): Promise<void> {
    if (this.ending) return;
    await this.request({ op: 'close' }, 2_000).catch(() => undefined);
    if (this.ending) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
