// Our servers for one peer release's ts-server cells run in a process of their own (the server
// host, server-host-process.ts), not in the test worker. The worker's event loop also runs its
// ts-client cases, defines later files and reads other releases' TAP; under a full run's load it
// stopped for seconds at a time, long enough for a peer client's read timeout to fail a case our
// server never got to read (DESIGN.md, "Stalls of a worker"). The host does nothing but serve.
//
// The worker starts a release's cells in its host, runs the peer client's plan against them, then
// asks the host what they saw (per case: the problems our server found in what arrived; per cell:
// a crash, the wire bytes and the log lines; the host's own loop stalls) and closes them. If the
// host dies, every cell it served says so, with the end of its output.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Cell } from '../matrix/axes.ts';
import { ServerWireLog, type ServerWireLogSnapshot } from '../../impls/wire/recorder.ts';
import type { CaseWindow } from '../tap/parse.ts';
import type { Endpoint } from './family-driver.ts';
import type { Stall } from './loop-stalls.ts';
import { ServerLog, type ServerLogSnapshot } from './server-log.ts';

const HOST_SCRIPT = new URL('./server-host-process.ts', import.meta.url);
/** The end of the host's stderr kept for a message when it dies. */
const STDERR_TAIL_BYTES = 4096;

export interface HostedCell {
  readonly key: string;
  readonly cell: Cell;
  /** The implementation's adapter module (LoadedImplementation.modulePath). */
  readonly modulePath: string;
  readonly endpoint: Endpoint;
  /** The cases the peer client will run, in order (ids of the driver's catalogue). */
  readonly caseIds: readonly string[];
  /** Keep at most this many bytes of each chunk of the wire log (DUMP_BYTES). */
  readonly keepPerChunk: number;
}

/** What one cell's server saw, once the peer client is done. */
export interface CellReport {
  /** Per case id: what our server found wrong in what arrived. */
  readonly problems: ReadonlyMap<string, readonly string[]>;
  readonly crashed?: string;
  readonly wire: ServerWireLog;
  readonly log: ServerLog;
}

export interface HostReport {
  readonly cells: ReadonlyMap<string, CellReport>;
  /** The host's event loop and thread pool stalls (loop-stalls.ts). */
  readonly stalls: readonly Stall[];
}

// The messages between the worker and the host (structured clones over the IPC channel). A host
// serves every group of cells its worker gives it, side by side; each request names its group.
export type ToHost =
  | { readonly id: number; readonly type: 'start'; readonly group: number; readonly driver: string; readonly cells: readonly HostedCell[] }
  | { readonly id: number; readonly type: 'collect'; readonly group: number; readonly windows: Readonly<Record<string, Readonly<Record<string, CaseWindow>>>>; readonly wireFor: readonly string[] | 'all' }
  | { readonly id: number; readonly type: 'close'; readonly group: number };

export interface CellReportData {
  readonly problems: readonly (readonly [string, readonly string[]])[];
  readonly crashed?: string;
  readonly wire: ServerWireLogSnapshot;
  readonly log: ServerLogSnapshot;
}

export type FromHost = { readonly id: number } & (
  | { readonly type: 'started'; readonly failures: Readonly<Record<string, string>> }
  | { readonly type: 'collected'; readonly cells: Readonly<Record<string, CellReportData>>; readonly stalls: readonly Stall[] }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string });

type Reply<T extends FromHost['type']> = Extract<FromHost, { readonly type: T }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The host process of this worker: started on first use and kept for the worker's later groups
 * (a Node process that loads the drivers and adapters costs ~0.6 CPU-s; a default run has ~30
 * groups). It ends with the worker (its IPC channel closes) or when it dies; the next group then
 * starts a new one.
 */
class HostProcess {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private exitReason: string | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { readonly type: FromHost['type']; resolve(message: FromHost): void; reject(error: Error): void }>();

  constructor() {
    // No inherited execArgv: the worker's are vitest's. The host loads the same .ts modules with Node's own type stripping.
    this.child = fork(HOST_SCRIPT, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const keep = (chunk: Buffer): void => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (message: FromHost) => this.received(message));
    this.child.on('exit', (code, signal) => {
      this.exitReason = `our servers' process ended (${signal ? `signal ${signal}` : `exit code ${code}`})${this.stderrTail ? `; the end of its output:\n${this.stderrTail.trimEnd()}` : ''}`;
      this.failAll(new Error(this.exitReason));
    });
    this.child.on('error', (error) => this.failAll(error));
    this.idle();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the process ended, if it did. */
  get ended(): string | undefined {
    return this.exitReason;
  }

  request<T extends FromHost['type']>(message: WithoutId<ToHost>, answer: T): Promise<Reply<T>> {
    if (this.exitReason !== undefined) return Promise.reject(new Error(this.exitReason));
    const id = this.nextId++;
    // A request in flight keeps the worker alive; an idle host does not (it ends with the worker).
    this.child.channel?.ref();
    for (const stream of [this.child.stdout, this.child.stderr]) (stream as Socket | null)?.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { type: answer, resolve: resolve as (message: FromHost) => void, reject });
      this.child.send({ ...message, id } as ToHost, (error) => {
        if (error) this.settle(id)?.reject(error);
      });
    });
  }

  private received(message: FromHost): void {
    const waiting = this.settle(message.id);
    if (!waiting) return;
    if (message.type === 'error') waiting.reject(new Error(`the server host: ${message.message}`));
    else if (message.type !== waiting.type) waiting.reject(new Error(`the server host answered ${message.type}, not ${waiting.type}`));
    else waiting.resolve(message);
  }

  private settle(id: number): { reject(error: Error): void; resolve(message: FromHost): void; readonly type: FromHost['type'] } | undefined {
    const waiting = this.waiting.get(id);
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.idle();
    return waiting;
  }

  private failAll(error: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(error);
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) (stream as Socket | null)?.unref();
  }
}

let shared: HostProcess | undefined;
let nextGroup = 1;

function hostProcess(): HostProcess {
  if (!shared || shared.ended !== undefined) shared = new HostProcess();
  return shared;
}

/** One group of cells (a release's ts-server cells of a slice) served by this worker's host process. */
export class ServerHost {
  private readonly process: HostProcess;
  private readonly group: number;
  private closed = false;

  private constructor(process: HostProcess, group: number) {
    this.process = process;
    this.group = group;
  }

  /** Starts these cells' servers in the host; `failures` names the cells whose server did not start, with why. */
  static async start(driverModule: string, cells: readonly HostedCell[]): Promise<{ host: ServerHost; failures: ReadonlyMap<string, string> }> {
    const host = new ServerHost(hostProcess(), nextGroup++);
    try {
      const reply = await host.process.request({ type: 'start', group: host.group, driver: driverModule, cells }, 'started');
      return { host, failures: new Map(Object.entries(reply.failures)) };
    } catch (error) {
      await host.close();
      throw error;
    }
  }

  /**
   * What each cell's server saw; windows: per cell, per case, its span from the peer client's TAP.
   * The wire log comes back for the cells of wireFor and those whose server found a problem or
   * crashed (the only ones a report shows bytes of, short of --trace); the others' is empty.
   */
  async collect(windows: ReadonlyMap<string, ReadonlyMap<string, CaseWindow>>, wireFor: ReadonlySet<string> | 'all'): Promise<HostReport> {
    const plain = Object.fromEntries([...windows].map(([key, perCase]) => [key, Object.fromEntries(perCase)]));
    const reply = await this.process.request({ type: 'collect', group: this.group, windows: plain, wireFor: wireFor === 'all' ? 'all' : [...wireFor] }, 'collected');
    const cells = new Map(Object.entries(reply.cells).map(([key, data]) => [key, {
      problems: new Map(data.problems),
      ...(data.crashed !== undefined ? { crashed: data.crashed } : {}),
      wire: ServerWireLog.fromSnapshot(data.wire),
      log: ServerLog.fromSnapshot(data.log),
    } satisfies CellReport]));
    return { cells, stalls: reply.stalls };
  }

  /** Closes this group's servers (the host process stays for the worker's next group). */
  async close(): Promise<void> {
    if (this.closed || this.process.ended !== undefined) return;
    this.closed = true;
    await this.process.request({ type: 'close', group: this.group }, 'closed').catch(() => undefined);
  }

  /** The host's process id. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Why the host process ended, if it did. */
  get ended(): string | undefined {
    return this.process.ended;
  }
}
