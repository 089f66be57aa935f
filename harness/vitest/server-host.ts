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
import type { Cell } from '../matrix/axes.ts';
import { ForkedChild } from '../process/forked-child.ts';
import { ServerWireLog, type ServerWireLogSnapshot } from '../../impls/wire/recorder.ts';
import type { CaseWindow } from '../tap/parse.ts';
import type { Endpoint } from './family-driver.ts';
import type { Stall } from './loop-stalls.ts';
import { ServerLog, type ServerLogSnapshot } from './server-log.ts';

const HOST_SCRIPT = new URL('./server-host-process.ts', import.meta.url);

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
  | { readonly type: 'started'; readonly failures: Readonly<Record<string, string>>; readonly ports: Readonly<Record<string, number>> }
  | { readonly type: 'collected'; readonly cells: Readonly<Record<string, CellReportData>>; readonly stalls: readonly Stall[] }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string });

type Reply<T extends FromHost['type']> = Extract<FromHost, { readonly type: T }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

type HostProcess = ForkedChild<WithoutId<ToHost>, FromHost>;

/**
 * The host process of this worker: started on first use and kept for the worker's later groups
 * (a Node process that loads the drivers and adapters costs ~0.6 CPU-s; a default run has ~30
 * groups). It ends with the worker (its IPC channel closes; while idle it does not keep the worker
 * alive) or when it dies; the next group then starts a new one.
 */
function startHostProcess(): HostProcess {
  return new ForkedChild({
    script: HOST_SCRIPT,
    name: 'the server host',
    // No inherited execArgv: the worker's are vitest's. The host loads the same .ts modules with Node's own type stripping.
    execArgv: [],
    serialization: 'advanced',
    keepStdout: true,
    unrefWhenIdle: true,
    describeExit: ({ code, signal, output }) => `our servers' process ended (${signal ? `signal ${signal}` : `exit code ${code}`})${output ? `; the end of its output:\n${output.trimEnd()}` : ''}`,
  });
}

/** The host's answer to a request, which must be of the type asked for. */
async function ask<T extends FromHost['type']>(host: HostProcess, message: WithoutId<ToHost>, answer: T): Promise<Reply<T>> {
  const reply = await host.request(message);
  if (reply.type === 'error') throw new Error(`the server host: ${reply.message}`);
  if (reply.type !== answer) throw new Error(`the server host answered ${reply.type}, not ${answer}`);
  return reply as Reply<T>;
}

let shared: HostProcess | undefined;
let nextGroup = 1;

function hostProcess(): HostProcess {
  if (!shared || shared.ended !== undefined) shared = startHostProcess();
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

  /**
   * Starts these cells' servers in the host; `failures` names the cells whose server did not start,
   * with why; `ports`, the cells whose reserved port was taken meanwhile, with the port their server
   * listens on instead (the peer client must be told that one).
   */
  static async start(driverModule: string, cells: readonly HostedCell[]): Promise<{ host: ServerHost; failures: ReadonlyMap<string, string>; ports: ReadonlyMap<string, number> }> {
    const host = new ServerHost(hostProcess(), nextGroup++);
    try {
      const reply = await ask(host.process, { type: 'start', group: host.group, driver: driverModule, cells }, 'started');
      return { host, failures: new Map(Object.entries(reply.failures)), ports: new Map(Object.entries(reply.ports)) };
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
    const reply = await ask(this.process, { type: 'collect', group: this.group, windows: plain, wireFor: wireFor === 'all' ? 'all' : [...wireFor] }, 'collected');
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
    await ask(this.process, { type: 'close', group: this.group }, 'closed').catch(() => undefined);
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
