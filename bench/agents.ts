// The processes the bench measures: Node agents (agent.ts) and the reference peers' `bench` role,
// each one process per implementation and role, all spoken to through the line protocol of
// protocol.ts, and all in containers started the same way (docker-run.ts): a Node agent in a
// container of bench/node-image, a peer in its own image. (--host-agents runs the Node agents as
// plain child processes instead, only to show what that placement does to the ratios.) From the
// host each has a PID: it is pinned to CPUs with taskset and its peak resident memory is read (and
// reset) through /proc, the same way for every language.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { REPO_ROOT } from '../harness/docker/peers.ts';
import { PendingReplies } from '../harness/process/pending-replies.ts';
import { benchRunArgs, containerName, repoMounts } from './docker-run.ts';
import type { Answer, Command } from './protocol.ts';

const AGENT = join(REPO_ROOT, 'bench', 'agent.ts');

/**
 * JVM options the peers' entrypoints set for short-lived test processes and that a benchmark must
 * not inherit: C1 only (TieredStopAtLevel=1) never reaches peak code, and the serial collector is
 * not what a JVM picks by itself on this machine. Removed, so the JVM runs with its defaults
 * (the heap bound and the class-data-sharing archive stay).
 */
const STARTUP_ONLY_JVM_OPTIONS = [/^-XX:TieredStopAtLevel=/, /^-XX:\+UseSerialGC$/];

export interface AgentOptions {
  readonly name: string;
  readonly logDir: string;
  /** Extra node options (e.g. --cpu-prof) for Node agents. */
  readonly nodeOptions?: readonly string[];
  /** A folder the agent writes to (its CPU profile), mounted writable into its container. */
  readonly writableFolder?: string;
}

/** Where a Node agent runs: a container of the Node image (as the peers), or a child process of the bench. */
export type NodePlacement = { readonly kind: 'container'; readonly image: string; readonly runId: string } | { readonly kind: 'host' };

export class Agent {
  private readonly pending: PendingReplies<Answer>;
  private readonly ended: Promise<void>;
  private exitReason: string | undefined;
  private pinned: string | undefined;
  hostPid = 0;
  /** Stopped with SIGSTOP (hold), until SIGCONT. */
  private held = false;
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly container: string | undefined;

  private constructor(name: string, child: ChildProcess, log: WriteStream, container: string | undefined, ready: (line: string) => void) {
    this.name = name;
    this.pending = new PendingReplies<Answer>(`agent ${name}`);
    this.child = child;
    this.log = log;
    this.container = container;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let parsed: (Answer & { ready?: boolean }) | undefined;
      try {
        parsed = JSON.parse(line) as Answer & { ready?: boolean };
      } catch {
        log.write(`[stdout] ${line}\n`);
        return;
      }
      if (parsed.ready === true) return ready(line);
      if (!this.pending.resolve(parsed.id, parsed)) log.write(`[unexpected answer] ${line}\n`);
    });
    child.stderr?.pipe(log, { end: false });
    this.ended = new Promise((done) => child.once('exit', (code, signal) => {
      this.exitReason = `exited with ${signal ?? `code ${code}`}`;
      this.pending.failAll(new Error(`agent ${name} ${this.exitReason} (log: ${log.path})`));
      done();
    }));
  }

  private static async start(name: string, command: string, args: readonly string[], logDir: string, container?: string): Promise<Agent> {
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, `${name.replace(/[^A-Za-z0-9.-]+/g, '_')}.log`));
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let agent: Agent | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      agent = new Agent(name, child, log, container, () => resolve());
      child.once('exit', (code) => reject(new Error(`agent ${name} exited (code ${code}) before it was ready; log: ${log.path}`)));
      child.once('error', reject);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    try {
      await ready;
    } finally {
      clearTimeout(timer);
    }
    const started = agent as Agent;
    started.hostPid = container ? await containerPid(container) : (child.pid ?? 0);
    return started;
  }

  /**
   * A Node agent for an adapter module (or "raw"): in a container of the Node image, with the
   * repository mounted read-only at its own path, or (placement host) as a child process of this one.
   */
  static node(spec: string, placement: NodePlacement, options: AgentOptions): Promise<Agent> {
    const nodeArgs = [...(options.nodeOptions ?? []), AGENT, spec];
    if (placement.kind === 'host') return Agent.start(options.name, process.execPath, nodeArgs, options.logDir);
    const container = containerName(placement.runId, options.name);
    const args = benchRunArgs({
      name: container, runId: placement.runId, ownerPid: process.pid, peer: 'node', image: placement.image,
      readOnlyMounts: repoMounts(REPO_ROOT), workdir: REPO_ROOT, args: nodeArgs,
      ...(options.writableFolder ? { writableMounts: [options.writableFolder] } : {}),
    });
    return Agent.start(options.name, 'docker', args, options.logDir, container);
  }

  /** A reference peer's bench role in a container (host network, the suite's labels). */
  static async peer(image: string, peerFolder: string, runId: string, options: AgentOptions): Promise<Agent> {
    const [program, ...rest] = await benchEntrypoint(image);
    if (!program) throw new Error(`image ${image} has no entrypoint`);
    const container = containerName(runId, options.name);
    const args = benchRunArgs({ name: container, runId, ownerPid: process.pid, peer: peerFolder, image, entrypoint: program, args: [...rest, 'bench'] });
    return Agent.start(options.name, 'docker', args, options.logDir, container);
  }

  request(command: Command, timeoutMs: number): Promise<Answer> {
    if (this.exitReason) return Promise.reject(new Error(`agent ${this.name} ${this.exitReason}`));
    this.hold(false);
    const { id, reply } = this.pending.open({ op: command.op, withinMs: timeoutMs });
    this.child.stdin?.write(`${JSON.stringify({ id, ...command })}\n`);
    return reply;
  }

  /**
   * Stops the process, every thread of it (SIGSTOP), while contenders it is not part of are
   * measured; false lets it go on (SIGCONT), as any request to it does. An agent between its
   * windows is not idle: a JVM's compiler threads go on compiling what its last window ran. perf on
   * the server's CPU in a narrow run (avro/http int ×1 against Java) put the Java server's C2 thread
   * at 40% of that CPU, up to 70% within the windows of our server and the replay server that came
   * after it, on the CPU those servers were pinned to.
   */
  hold(held: boolean): void {
    if (held === this.held || this.hostPid <= 0 || this.exitReason) return;
    try {
      process.kill(this.hostPid, held ? 'SIGSTOP' : 'SIGCONT');
    } catch {
      return; // the process is gone: its exit is reported where it is awaited
    }
    this.held = held;
    if (held) HELD.add(this);
    else HELD.delete(this);
  }

  /** Restricts every thread of the process to `cpus` ("0", "1", "0-1"). */
  async pin(cpus: string): Promise<void> {
    if (this.pinned === cpus || this.hostPid <= 0) return;
    // taskset -a walks the threads and fails when one ends under it (a JVM's Jetty pool retires
    // idle threads): it lost a whole group once. A thread that ended needs no pinning, and threads
    // started later inherit their creator's CPUs, so the walk is simply made again.
    for (let attempt = 1; ; attempt++) {
      const result = await execa('taskset', ['-a', '-p', '-c', cpus, String(this.hostPid)], { reject: false });
      if (result.exitCode === 0) break;
      if (attempt >= 5 || !/No such process/.test(String(result.stderr))) {
        throw new Error(`taskset -a -p -c ${cpus} ${this.hostPid} failed (exit ${result.exitCode}): ${String(result.stderr).trim()}`);
      }
    }
    this.pinned = cpus;
  }

  /** CPU time of every thread of the process so far, in ns (the threads' schedstat), or undefined when unreadable. */
  cpuNs(): number | undefined {
    try {
      let sum = 0;
      for (const tid of readdirSync(`/proc/${this.hostPid}/task`)) {
        try {
          sum += Number(readFileSync(`/proc/${this.hostPid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        } catch {
          // the thread ended meanwhile: its time is no longer counted in either reading that misses it
        }
      }
      return sum;
    } catch {
      return undefined;
    }
  }

  /** Starts a new peak: the kernel's high-water mark of resident memory is reset to the current size. */
  resetPeak(): void {
    try {
      writeFileSync(`/proc/${this.hostPid}/clear_refs`, '5');
    } catch {
      // no permission or no such process: the peak then covers the process's whole life
    }
  }

  /** Peak resident memory (VmHWM) in KiB since the last reset, or undefined when unreadable. */
  peakRssKb(): number | undefined {
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.hostPid}/status`, 'utf8'));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (!this.exitReason) {
      await this.request({ op: 'exit' }, 10_000).catch(() => undefined);
      const ended = await Promise.race([this.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!ended) this.child.kill('SIGKILL');
    }
    if (this.container) await execa('docker', ['rm', '-f', this.container], { reject: false });
    this.log.end();
  }
}

/** Agents stopped now: let go if the bench ends some other way than stopping them (which lets them go). */
const HELD = new Set<Agent>();
process.once('exit', () => {
  for (const agent of HELD) agent.hold(false);
});

/** The image's entrypoint without the start-up-only JVM options (STARTUP_ONLY_JVM_OPTIONS). */
export async function benchEntrypoint(image: string): Promise<string[]> {
  const inspected = await execa('docker', ['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', image]);
  const entrypoint = JSON.parse(String(inspected.stdout)) as string[];
  return entrypoint.filter((arg) => !STARTUP_ONLY_JVM_OPTIONS.some((re) => re.test(arg)));
}

async function containerPid(name: string): Promise<number> {
  const inspected = await execa('docker', ['inspect', '--format', '{{.State.Pid}}', name]);
  return Number(String(inspected.stdout).trim());
}
