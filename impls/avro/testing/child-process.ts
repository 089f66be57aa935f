// The test side of testing/child.ts: start a child with a small heap, send it commands with a
// deadline each, kill it afterwards. A child that hangs or dies fails the command that was
// waiting, with what happened (a timeout, an exit code, a signal).
import { fork, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';

export interface Usage {
  /** RSS now (after a full collection). */
  readonly rss: number;
  /** The highest RSS sampled (every 10 ms) since the previous usage report. */
  readonly peakRss: number;
  /** Heap and external memory still referenced after a full collection. */
  readonly retained: number;
  readonly cpuMs: number;
}

export interface CallOutcome {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly ms: number;
}

interface Reply { readonly id: number; readonly ok: boolean; readonly [key: string]: unknown }

export class Child {
  private readonly process: ChildProcess;
  private readonly waiting = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private exit: string | undefined;
  /** The last few KB the child wrote to stderr (an out-of-memory report, a stack). */
  private stderrTail = '';

  private constructor(child: ChildProcess) {
    this.process = child;
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      clearTimeout(waiter.timer);
      waiter.resolve(reply);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('exit', (code, signal) => {
      this.exit = `child exited (code ${code}, signal ${signal}): ${this.stderrTail.split('\n').filter(Boolean).slice(-3).join(' | ')}`;
      for (const [id, waiter] of this.waiting) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(this.exit));
        this.waiting.delete(id);
      }
    });
  }

  /** heapMb bounds the child's JavaScript heap, so a runaway allocation ends quickly. */
  static start(heapMb = 256): Promise<Child> {
    const child = fork(new URL('./child.ts', import.meta.url), [], {
      execArgv: [`--max-old-space-size=${heapMb}`, '--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const handle = new Child(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child did not start within 5 s')), 5_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve(handle);
      });
      child.once('exit', (code) => reject(new Error(`child exited at start (code ${code})`)));
    });
  }

  request<T extends object>(command: Record<string, unknown>, timeoutMs = 3_000): Promise<T & Reply> {
    if (this.exit) return Promise.reject(new Error(this.exit));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`child did not answer ${String(command['op'])} within ${timeoutMs} ms (hung?)`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (reply: Reply) => void, reject, timer });
      this.process.send({ id, ...command });
    });
  }

  async listen(schemes: readonly string[], options: { limits?: object; protocol?: string } = {}): Promise<Record<string, number>> {
    const reply = await this.request<{ ports: Record<string, number> }>({ op: 'listen', schemes, ...options });
    return reply.ports;
  }

  /** Client protocols in each server's handshake cache, by scheme. */
  async cached(): Promise<Record<string, number | undefined>> {
    return (await this.request<{ cached: Record<string, number | undefined> }>({ op: 'cached' })).cached;
  }

  usage(timeoutMs = 2_000): Promise<Usage> {
    return this.request<Usage>({ op: 'usage' }, timeoutMs);
  }

  call(url: string, message: string, params: unknown, options: { timeoutMs?: number; limits?: object; protocol?: string; deadlineMs?: number } = {}): Promise<CallOutcome> {
    const { deadlineMs, ...rest } = options;
    return this.request<CallOutcome>({ op: 'call', url, message, params, ...rest }, deadlineMs ?? 4_000);
  }

  get exited(): string | undefined {
    return this.exit;
  }

  kill(): void {
    if (!this.exit) this.process.kill('SIGKILL');
  }
}

/** A describe block's child: started before its tests (listening on `schemes` when given), killed after them. */
export interface SuiteChild {
  readonly child: Child;
  /** The port our server listens on for this scheme (in the schemes given). */
  port(scheme: string): number;
}

/** Call inside a describe: one child for the block's tests, so that a test's runaway server ends with it. */
export function childForSuite(schemes: readonly string[] = [], options: { limits?: object; protocol?: string } = {}): SuiteChild {
  let child: Child | undefined;
  let ports: Record<string, number> = {};
  beforeAll(async () => {
    child = await Child.start();
    if (schemes.length > 0) ports = await child.listen(schemes, options);
  });
  afterAll(() => child?.kill());
  return {
    get child(): Child {
      if (!child) throw new Error('the child is started in beforeAll: use it inside a test');
      return child;
    },
    port(scheme: string): number {
      const port = ports[scheme];
      if (port === undefined) throw new Error(`no listener for ${scheme}: the block listens on ${schemes.join(', ') || 'nothing'}`);
      return port;
    },
  };
}
