// One reference release's servers under attack: a server plan (containers/README.md) with a
// listener per hostile cell of that release, started as the other families start theirs, with a
// memory limit so that a leaking server is killed rather than the machine. Its memory is read
// from the host (docker inspect .State.Pid, then /proc). When a case leaves the server dead or no
// longer serving, the next case gets a new container on the same plan and ports, and is told how
// the previous one ended.
import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { describeState, startServer, type RunningServer } from '../../../harness/docker/containers.ts';
import type { PeerRelease } from '../../../harness/docker/peers.ts';
import { freePort, LOOPBACK } from '../../../harness/net/ports.ts';
import { planPath } from '../../../harness/run/run-dir.ts';
import type { PeerRun } from '../../../harness/results/model.ts';
import type { HostileCell } from '../cells.ts';
import { cellId } from '../../../harness/results/cell-id.ts';

/** A reference server may use this much memory before the kernel kills it (and the case says so). */
export const REFERENCE_MEMORY_MB = 1024;
/** New containers a release may need in one run; beyond, its remaining cases fail without running. */
export const MAX_STARTS = 12;

export interface Listener {
  readonly key: string;
  readonly port: number;
}

export class ReferenceSession {
  readonly release: PeerRelease;
  private readonly image: string;
  private readonly runDir: string;
  private readonly plan: string;
  private readonly listeners = new Map<string, Listener>();
  private server: RunningServer | undefined;
  private mainPid: number | undefined;
  private starts = 0;
  /** Why the previous container is gone, told to the case that starts the next one. */
  private previousEnding: string | undefined;
  /** Listener keys the peer could not start, with its reason. */
  private failed = new Map<string, string>();

  private constructor(release: PeerRelease, image: string, runDir: string, plan: string) {
    this.release = release;
    this.image = image;
    this.runDir = runDir;
    this.plan = plan;
  }

  /** Writes the plan (a listener per cell, each on its own port); starts nothing yet. */
  static async plan(release: PeerRelease, image: string, runDir: string, cells: readonly HostileCell[]): Promise<ReferenceSession> {
    const file = planPath(`hostile-server-${release.key}`.replace(/[^A-Za-z0-9._@+-]/g, '_'));
    const session = new ReferenceSession(release, image, runDir, file);
    for (const c of cells) session.listeners.set(cellId(c.cell), { key: cellId(c.cell), port: await freePort() });
    writeFileSync(file, JSON.stringify({
      listeners: cells.map((c) => ({
        key: cellId(c.cell), transport: c.cell.transport, protocol: c.cell.protocol, socket: c.cell.socket, serverKind: c.cell.serverKind,
        host: LOOPBACK, port: session.listeners.get(cellId(c.cell))?.port,
      })),
    }, null, 1));
    return session;
  }

  get peerRun(): PeerRun {
    return { image: this.image, role: 'server', args: ['server', '--plan', this.plan], ...(this.server ? { containerId: this.server.id } : {}) };
  }

  /** Every listener's port, by cell id. */
  ports(): ReadonlyMap<string, number> {
    return new Map([...this.listeners].map(([key, l]) => [key, l.port]));
  }

  listener(cell: HostileCell): Listener {
    const listener = this.listeners.get(cellId(cell.cell));
    if (!listener) throw new Error(`no listener planned for ${cellId(cell.cell)}`);
    return listener;
  }

  /** The running server (a new container when there is none, or the last one died), its pid, and how the previous one ended. */
  async ready(cell: HostileCell): Promise<{ pid: number; port: number; started: boolean; previousEnding?: string }> {
    if (this.server && !(await this.running())) await this.retire(`the container ended: ${await this.ending()}`);
    const started = !this.server;
    if (!this.server) {
      if (this.starts >= MAX_STARTS) throw new Error(`${this.release.key}: ${MAX_STARTS} server containers were started in this run already; no more (the last ended: ${this.previousEnding ?? 'unknown'})`);
      this.starts++;
      this.server = await startServer({
        image: this.image, peer: this.release.peer.folder, plan: this.plan, runDir: this.runDir,
        startupSeconds: this.release.peer.startupSeconds, memoryMb: REFERENCE_MEMORY_MB,
      });
      this.failed = new Map(this.server.failed);
      const inspected = await execa('docker', ['inspect', '--format', '{{.State.Pid}}', this.server.id]);
      this.mainPid = Number(inspected.stdout.trim());
    }
    const listener = this.listener(cell);
    const failed = this.failed.get(listener.key);
    if (failed !== undefined) throw new Error(`${this.release.peer.id} ${this.release.version} could not start this listener: ${failed || 'no reason given'}`);
    const previousEnding = this.previousEnding;
    this.previousEnding = undefined;
    return { pid: this.mainPid as number, port: listener.port, started, ...(previousEnding ? { previousEnding } : {}) };
  }

  async running(): Promise<boolean> {
    return (await this.server?.state())?.running ?? false;
  }

  /** How the container ended (exit code, signal, OOM), or that it still runs. */
  async ending(): Promise<string> {
    const state = await this.server?.state();
    return state ? describeState(state) : 'the container is gone';
  }

  /** The listener's log lines (for a failure's evidence). */
  async logOf(cell: HostileCell, lines = 30): Promise<string> {
    return this.server ? this.server.logOf(this.listener(cell).key, lines).catch((e: unknown) => `log unavailable: ${String(e)}`) : '(no container)';
  }

  /** Removes the container; the next case starts a new one and is told why. */
  async retire(why: string): Promise<void> {
    this.previousEnding = why;
    await this.server?.stop();
    this.server = undefined;
    this.mainPid = undefined;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}
