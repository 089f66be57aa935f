// The one container lifecycle of the suite: every peer container is started here, carries the
// suite's labels, and is removed by label at the end of a run, after a failure, after Ctrl-C,
// and by the sweep at the start of the next run if a run crashed.
//
// Peers run with host networking and listen on / connect to 127.0.0.1 only, so all test traffic
// stays on loopback and both directions work without routing to the host.
import { execa, execaSync } from 'execa';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { LogFollower } from './log-follower.ts';

export const LABEL_SUITE = 'org.avro-thrift-conformance.suite';
export const LABEL_RUN = 'org.avro-thrift-conformance.run';
export const LABEL_OWNER_PID = 'org.avro-thrift-conformance.owner-pid';

/** Set by the global setup; identifies the containers of this run. */
export function runId(): string {
  return process.env['CONFORMANCE_RUN_ID'] ?? `adhoc-${process.pid}`;
}

function labels(role: string, peer: string): Record<string, string> {
  return {
    [LABEL_SUITE]: 'true',
    [LABEL_RUN]: runId(),
    [LABEL_OWNER_PID]: process.env['CONFORMANCE_OWNER_PID'] ?? String(process.pid),
    'org.avro-thrift-conformance.role': role,
    'org.avro-thrift-conformance.peer': peer,
  };
}

export interface ContainerState {
  readonly running: boolean;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly error: string;
}

/** What happened to a container, in one line (exit code, the signal it means, OOM). */
export function describeState(state: ContainerState): string {
  if (state.running) return 'still running';
  const signal = state.exitCode > 128 ? ` (signal ${state.exitCode - 128}${state.exitCode === 137 ? ', SIGKILL' : state.exitCode === 143 ? ', SIGTERM' : ''})` : '';
  return `exited with code ${state.exitCode}${signal}${state.oomKilled ? ', killed for lack of memory (OOMKilled)' : ''}${state.error ? `, docker: ${state.error}` : ''}`;
}

export async function containerState(id: string): Promise<ContainerState | undefined> {
  const inspected = await execa('docker', ['inspect', '--format', '{{.State.Running}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.State.Error}}', id], { reject: false });
  if (inspected.exitCode !== 0) return undefined;
  const [running, exitCode, oom, error] = String(inspected.stdout).trim().split('|');
  return { running: running === 'true', exitCode: Number(exitCode), oomKilled: oom === 'true', error: error ?? '' };
}

export interface RunningServer {
  readonly id: string;
  /** Listener keys the peer could not start, with its reason (its FAILED lines). */
  readonly failed: ReadonlyMap<string, string>;
  logTail(lines?: number): Promise<string>;
  /** The log lines of one listener (prefixed "[key] " by the peer), and the unprefixed ones. */
  logOf(key: string, lines?: number): Promise<string>;
  state(): Promise<ContainerState | undefined>;
  stop(): Promise<void>;
}

export interface ServerStart {
  readonly image: string;
  readonly peer: string;
  /** The plan file, inside the run directory. */
  readonly plan: string;
  /** The run directory, bind-mounted at the same path. */
  readonly runDir: string;
  readonly startupSeconds: number;
  /** A memory limit for the container (the hostile family: a server that leaks is killed, not the machine). */
  readonly memoryMb?: number;
}

/**
 * Starts a peer server plan (containers/README.md) and waits until it prints READY, i.e. every
 * listener it could start accepts connections. Listeners it could not start are in `failed`.
 */
export async function startServer(start: ServerStart): Promise<RunningServer> {
  let container: StartedTestContainer;
  try {
    const generic = new GenericContainer(start.image);
    if (start.memoryMb !== undefined) generic.withResourcesQuota({ memory: start.memoryMb / 1024 });
    container = await generic
      .withNetworkMode('host')
      .withLabels(labels('server', start.peer))
      .withBindMounts([{ source: start.runDir, target: start.runDir, mode: 'rw' }])
      .withCommand(['server', '--plan', start.plan])
      .withWaitStrategy(Wait.forLogMessage(/^READY$/m))
      .withStartupTimeout(start.startupSeconds * 1000)
      .start();
  } catch (error) {
    throw new Error(`peer ${start.peer} server (plan ${start.plan}) did not become ready: ${describe(error)}`);
  }
  const id = container.getId();
  // Followed from here on: READY is already in, so the FAILED lines of start-up are too.
  const follower = new LogFollower(id);
  await follower.until(/^READY$/);
  const failed = new Map<string, string>();
  for (const line of follower.log.tail(100_000).split('\n')) {
    const match = /^FAILED (\S+) ?(.*)$/.exec(line);
    if (match?.[1]) failed.set(match[1], match[2] ?? '');
  }
  return {
    id,
    failed,
    logTail: async (lines = 60) => {
      await follower.settled();
      return follower.log.tail(lines);
    },
    logOf: async (key, lines = 60) => {
      await follower.settled();
      return follower.log.of(key, lines);
    },
    // While the log is still followed the container runs: asking docker costs a process per call
    // (once per failing case).
    state: async () => (follower.ended ? containerState(id) : { running: true, exitCode: 0, oomKilled: false, error: '' }),
    stop: async () => {
      // No graceful stop: nothing in a peer needs it, and waiting for one costs seconds per container.
      follower.stop();
      await execa('docker', ['rm', '-f', id], { reject: false });
    },
  };
}

export interface ClientRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** How the container ended when it did not exit by itself with 0 (timeout, signal, OOM). */
  readonly ending?: string;
}

export interface ClientStart {
  readonly image: string;
  readonly peer: string;
  /** Arguments after the role (e.g. ["--plan", file]). */
  readonly args: readonly string[];
  readonly timeoutSeconds: number;
  /** The entrypoint role, "client" unless given (the data-file suite runs "datafile"). */
  readonly role?: string;
  /** Host directories bind-mounted at the same path inside the container (the run directory). */
  readonly mounts?: readonly string[];
}

/**
 * Runs a peer client to completion (it drives a plan's cells against our servers and prints TAP
 * on stdout) and returns its output. The container is removed afterwards.
 */
export async function runClient(start: ClientStart): Promise<ClientRun> {
  const created = await execa('docker', [
    'create', '--network', 'host',
    ...Object.entries(labels(start.role ?? 'client', start.peer)).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(start.mounts ?? []).flatMap((dir) => ['--volume', `${dir}:${dir}`]),
    start.image, start.role ?? 'client', ...start.args,
  ]);
  const id = created.stdout.trim();
  try {
    await execa('docker', ['start', id]);
    const waited = await execa('docker', ['wait', id], { timeout: start.timeoutSeconds * 1000, reject: false });
    if (waited.timedOut) {
      await execa('docker', ['kill', id], { reject: false });
      const logs = await execa('docker', ['logs', id], { reject: false });
      return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n[client timed out after ${start.timeoutSeconds} s]`, ending: `killed after its ${start.timeoutSeconds} s timeout` };
    }
    const logs = await execa('docker', ['logs', id], { reject: false });
    const exitCode = Number(waited.stdout.trim());
    const state = exitCode === 0 ? undefined : await containerState(id);
    return { exitCode, stdout: logs.stdout, stderr: logs.stderr, ...(state ? { ending: describeState(state) } : {}) };
  } finally {
    await execa('docker', ['rm', '-f', id], { reject: false });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function ownerAlive(pid: string | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes containers of this suite whose owning run is over: its process is gone (a crash). */
export async function sweepOrphans(): Promise<number> {
  const listed = await execa('docker', [
    'ps', '-a', '--filter', `label=${LABEL_SUITE}`,
    '--format', `{{.ID}} {{.Label "${LABEL_OWNER_PID}"}}`,
  ], { reject: false });
  const orphans = listed.stdout.split('\n').filter(Boolean)
    .map((line) => line.split(' '))
    .filter(([, pid]) => pid !== undefined && pid !== "" && !ownerAlive(pid))
    .map(([id]) => id as string);
  if (orphans.length > 0) await execa('docker', ['rm', '-f', ...orphans], { reject: false });
  return orphans.length;
}

/** Removes every container of a run. Synchronous so that it can run inside a signal handler. */
export function removeRunContainersSync(id: string): number {
  const listed = execaSync('docker', ['ps', '-aq', '--filter', `label=${LABEL_RUN}=${id}`], { reject: false });
  const ids = String(listed.stdout ?? '').split('\n').filter(Boolean);
  if (ids.length > 0) execaSync('docker', ['rm', '-f', ...ids], { reject: false });
  return ids.length;
}
