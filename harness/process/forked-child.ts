// A Node child process this one asks things over IPC: the server host (harness/vitest/server-host.ts),
// the hostile family's process of ours (suites/hostile/ours/child-process.ts) and the Avro
// hardening tests' child (impls/avro/testing/child-process.ts). Each request carries an id and is
// answered by the message with that id; a child that hangs fails the request that has a deadline,
// and a child that dies fails every request still waiting, in its user's words, with the end of
// what it wrote (an out-of-memory report, a stack).
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { type Deadline, PendingReplies } from './pending-replies.ts';

export type { Deadline } from './pending-replies.ts';

/** The end of the child's output kept for the message when it dies. */
const OUTPUT_TAIL_CHARS = 4096;

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last few KB the child wrote (stderr, and stdout with keepStdout), as it came. */
  readonly output: string;
}

export interface ForkedChildOptions {
  /** The child's module: a .ts file, run by Node's own type stripping. */
  readonly script: URL;
  /** The child in this module's errors: "<name> did not answer ping within 2000 ms (hung?)". */
  readonly name: string;
  /** The child's Node flags. Never inherited: a test worker's are vitest's. */
  readonly execArgv: readonly string[];
  /** 'advanced' carries structured clones (Maps, Buffers, bigints); JSON by default. */
  readonly serialization?: 'json' | 'advanced';
  /** Keep stdout in the output tail beside stderr (otherwise stdout is not read). */
  readonly keepStdout?: boolean;
  /** While no request waits, the child does not keep this process alive (it ends with this one). */
  readonly unrefWhenIdle?: boolean;
  /** How the child's end reads in errors and in `ended`: each user keeps its own wording. */
  describeExit(exit: ChildExit): string;
}

/** The last `count` non-empty lines of a child's output, on one line. */
export function lastLines(output: string, count: number): string {
  return output.split('\n').filter(Boolean).slice(-count).join(' | ');
}

/** Request: what is sent (the id is added); Reply: what comes back, matched to its request by id. */
export class ForkedChild<Request extends object, Reply extends { readonly id: number }> {
  private readonly child: ChildProcess;
  private readonly options: ForkedChildOptions;
  private readonly pending: PendingReplies<Reply>;
  private output = '';
  private endedAs: string | undefined;
  private readonly firstMessage: Promise<void>;
  private readonly exit: Promise<ChildExit>;

  constructor(options: ForkedChildOptions) {
    this.options = options;
    this.pending = new PendingReplies<Reply>(options.name, (left) => {
      if (left === 0 && options.unrefWhenIdle) this.idle();
    });
    this.child = fork(options.script, [], {
      execArgv: [...options.execArgv],
      serialization: options.serialization ?? 'json',
      stdio: ['ignore', options.keepStdout ? 'pipe' : 'ignore', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.firstMessage = new Promise((resolve) => this.child.once('message', () => resolve()));
    this.child.on('message', (reply: Reply) => this.pending.resolve(reply.id, reply));
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const exit = { code, signal, output: this.output };
        // A reason given to kill() stays: it says more than the SIGKILL that follows it.
        this.endedAs ??= options.describeExit(exit);
        this.pending.failAll(new Error(this.endedAs));
        resolve(exit);
      });
      this.child.on('error', (error) => {
        this.pending.failAll(error);
        // A child that never started has no exit to wait for.
        if (this.child.pid === undefined) {
          this.endedAs ??= error.message;
          resolve({ code: null, signal: null, output: this.output });
        }
      });
    });
    if (options.unrefWhenIdle) this.idle();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the child ended (or why it was killed), once it has. */
  get ended(): string | undefined {
    return this.endedAs;
  }

  /**
   * Resolves once the child's first message (its "ready") has arrived. A child that does not send
   * it within the time is killed; one that exits first says so.
   */
  async ready(withinMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.firstMessage.then(() => 'ready' as const),
      this.exit,
      new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), withinMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return;
    if (outcome === 'late') {
      await this.kill();
      throw new Error(`${this.options.name} did not start within ${withinMs / 1000} s`);
    }
    // What it printed says why (a module that did not load, a flag Node refused): the error's own
    // line where Node printed one (its stack and "Node.js v24" come after it), else the last lines.
    const said = /^\w*Error\b.*$/m.exec(outcome.output)?.[0] ?? lastLines(outcome.output, 4);
    throw new Error(`${this.options.name} exited at start (code ${outcome.code}${outcome.signal ? `, signal ${outcome.signal}` : ''})${said ? `: ${said}` : ''}`);
  }

  /** Sends the message with a new id; resolves with the child's reply of that id. */
  request(message: Request, deadline?: Deadline): Promise<Reply> {
    if (this.endedAs !== undefined) return Promise.reject(new Error(this.endedAs));
    if (this.options.unrefWhenIdle) this.busy();
    const { id, reply } = this.pending.open(deadline);
    this.child.send({ ...message, id }, (error) => {
      if (error) this.pending.reject(id, error);
    });
    return reply;
  }

  /**
   * Kills the child (SIGKILL) unless it has ended; resolves once its exit is seen, so that whoever
   * reads `ended` next knows it is gone. `reason`, when given, is what `ended` says.
   */
  async kill(reason?: string): Promise<void> {
    if (this.endedAs === undefined) {
      if (reason !== undefined) this.endedAs = reason;
      this.child.kill('SIGKILL');
    }
    await this.exit;
  }

  // A request in flight keeps this process alive; an idle child does not.
  private busy(): void {
    this.child.channel?.ref();
    for (const stream of [this.child.stdout, this.child.stderr]) (stream as Socket | null)?.ref();
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) (stream as Socket | null)?.unref();
  }
}
