// The one container lifecycle of the suite: every peer container is started here, carries the
// suite's labels, and is removed by label at the end of a run, after a failure, after Ctrl-C,
// and by the sweep at the start of the next run if a run crashed.
//
// Peers run with host networking and listen on / connect to 127.0.0.1 only, so all test traffic
// stays on loopback and both directions work without routing to the host.
import { execa, execaSync } from 'execa';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

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

export async function containerLogs(id: string, tailLines = 60): Promise<string> {
  const result = await execa('docker', ['logs', '--tail', String(tailLines), id], { reject: false, all: true });
  return result.all ?? '';
}

export interface RunningServer {
  readonly id: string;
  readonly port: number;
  logTail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface ServerStart {
  readonly image: string;
  readonly peer: string;
  /** Arguments after "server"; the port must be among them. */
  readonly args: readonly string[];
  readonly port: number;
  readonly startupSeconds: number;
}

/** Starts a peer server and waits until it prints READY (it does so once it is listening). */
export async function startServer(start: ServerStart): Promise<RunningServer> {
  let container: StartedTestContainer;
  try {
    container = await new GenericContainer(start.image)
      .withNetworkMode('host')
      .withLabels(labels('server', start.peer))
      .withCommand(['server', ...start.args])
      .withWaitStrategy(Wait.forLogMessage(/^READY\b/m))
      .withStartupTimeout(start.startupSeconds * 1000)
      .start();
  } catch (error) {
    throw new Error(`peer ${start.peer} server (${start.args.join(' ')}) did not become ready: ${describe(error)}`);
  }
  return {
    id: container.getId(),
    port: start.port,
    logTail: (lines) => containerLogs(container.getId(), lines),
    stop: async () => {
      await container.stop({ remove: true, timeout: 2_000 }).catch(() => undefined);
    },
  };
}

export interface ClientRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ClientStart {
  readonly image: string;
  readonly peer: string;
  /** Arguments after "client". */
  readonly args: readonly string[];
  readonly timeoutSeconds: number;
  /** [datafile] The entrypoint role, "client" unless given (the data-file suite runs "datafile"). */
  readonly role?: string;
  /** [datafile] Host directories bind-mounted at the same path inside the container. */
  readonly mounts?: readonly string[];
}

/**
 * Runs a peer client to completion (it drives a list of cases against one of our servers and
 * prints TAP on stdout) and returns its output. The container is removed afterwards.
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
      return { exitCode: -1, stdout: logs.stdout, stderr: `${logs.stderr}\n[client timed out after ${start.timeoutSeconds} s]` };
    }
    const logs = await execa('docker', ['logs', id], { reject: false });
    return { exitCode: Number(waited.stdout.trim()), stdout: logs.stdout, stderr: logs.stderr };
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
