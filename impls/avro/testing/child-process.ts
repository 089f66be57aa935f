// The test side of testing/child.ts: start a child with a small heap, send it commands with a
// deadline each, kill it afterwards. A child that hangs or dies fails the command that was
// waiting, with what happened (a timeout, an exit code, a signal).
import { afterAll, beforeAll } from 'vitest';
import { ForkedChild, lastLines } from '../../../harness/process/forked-child.ts';

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
  private readonly process: ForkedChild<Record<string, unknown>, Reply>;

  private constructor(child: ForkedChild<Record<string, unknown>, Reply>) {
    this.process = child;
  }

  /** heapMb bounds the child's JavaScript heap, so a runaway allocation ends quickly. */
  static async start(heapMb = 256): Promise<Child> {
    const child = new ForkedChild<Record<string, unknown>, Reply>({
      script: new URL('./child.ts', import.meta.url),
      name: 'child',
      execArgv: [`--max-old-space-size=${heapMb}`, '--expose-gc'],
      // The end of its stderr: an out-of-memory report, a stack.
      describeExit: ({ code, signal, output }) => `child exited (code ${code}, signal ${signal}): ${lastLines(output, 3)}`,
    });
    await child.ready(5_000);
    return new Child(child);
  }

  request<T extends object>(command: Record<string, unknown>, timeoutMs = 3_000): Promise<T & Reply> {
    return this.process.request(command, { op: String(command['op']), withinMs: timeoutMs }) as Promise<T & Reply>;
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
    return this.process.ended;
  }

  /** Resolves once the child's exit is seen. */
  kill(): Promise<void> {
    return this.process.kill();
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
