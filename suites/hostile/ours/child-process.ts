// The test side of ours/child.ts: starts the child with a bounded JavaScript heap, sends it
// commands with a deadline each, and says how it ended when it dies (exit code, signal, the last
// lines of its stderr). A child that hangs fails the command that waited for it.
import { ForkedChild, lastLines } from '../../../harness/process/forked-child.ts';
import type { CallCommand, CallOutcome, Command, ListenCommand } from './child.ts';

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly failed?: string;
}

export class OursProcess {
  private readonly child: ForkedChild<Command, Reply>;

  private constructor(child: ForkedChild<Command, Reply>) {
    this.child = child;
  }

  /** heapMb bounds the JavaScript heap, so that a runaway allocation ends quickly. */
  static async start(heapMb = 512): Promise<OursProcess> {
    const child = new ForkedChild<Command, Reply>({
      script: new URL('./child.ts', import.meta.url),
      name: 'our child process',
      execArgv: [`--max-old-space-size=${heapMb}`],
      describeExit: ({ code, signal, output }) => `our process exited (code ${code}, signal ${signal})${output ? `: ${lastLines(output, 4)}` : ''}`,
    });
    await child.ready(10_000);
    return new OursProcess(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** How the child ended, when it has. */
  get exited(): string | undefined {
    return this.child.ended;
  }

  private async request<T>(command: Command, timeoutMs: number): Promise<T> {
    const reply = await this.child.request(command, { op: command.op, withinMs: timeoutMs });
    if (reply.failed !== undefined) throw new Error(reply.failed);
    return reply.result as T;
  }

  async listen(command: Omit<ListenCommand, 'op'>): Promise<number> {
    return (await this.request<{ port: number }>({ op: 'listen', ...command }, 10_000)).port;
  }

  /** Our client's call, made in the child; the deadline covers the call's own timeout and a margin. */
  call(command: Omit<CallCommand, 'op'>): Promise<CallOutcome> {
    return this.request<CallOutcome>({ op: 'call', ...command }, command.timeoutMs + 5_000);
  }

  /** The last lines our servers logged (their reasons for closing connections), taken: a later call returns only newer ones. */
  async serverLog(): Promise<string[]> {
    if (this.exited) return [];
    return this.request<string[]>({ op: 'server-log' }, 2_000).catch(() => []);
  }

  /**
   * Whether the child still answers within `ms` (its event loop is not stuck). One that does not
   * is killed, and `exited` says why.
   */
  async responsive(ms = 2_000): Promise<boolean> {
    if (this.exited) return false;
    try {
      await this.request({ op: 'ping' }, ms);
      return true;
    } catch {
      await this.child.kill(`our process stopped answering (its event loop was stuck for ${ms} ms); killed`);
      return false;
    }
  }

  /** Closes the child's servers and ends it; resolves once its exit is seen. */
  async stop(): Promise<void> {
    if (!this.exited) await this.request({ op: 'close' }, 2_000).catch(() => undefined);
    await this.child.kill();
  }
}
