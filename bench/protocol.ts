// The bench agents' line protocol (README.md "Agents"): the orchestrator writes one JSON command
// per line on an agent's stdin and reads one JSON answer per line, with the same id, on its stdout.
// Every agent speaks it: the Node agent (agent.ts) for the TypeScript and JavaScript
// implementations and the raw floor, and the `bench` role of each reference peer (Java, Python).

/** What each call carries: one int, or a byte array of `size` bytes (byte i = (i * 31 + 7) & 0xff). */
export type Payload = { readonly kind: 'int' } | { readonly kind: 'bytes'; readonly size: number };

export type BenchFamily = 'avro' | 'thrift' | 'raw';

/** One server to start: a family's transport and protocol on a loopback port. */
export interface ListenerSpec {
  readonly key: string;
  readonly family: BenchFamily;
  readonly transport: string;
  readonly protocol: string;
  readonly serverKind?: string;
  /** A replay listener (replay.ts, replay-avro.ts) answers the echo of this payload only. */
  readonly payload?: Payload;
  readonly host: string;
  readonly port: number;
}

/** Where a client connects (the listener, without its key, server kind and payload). */
export type TargetSpec = Omit<ListenerSpec, 'key' | 'serverKind' | 'payload'>;

export interface ServeCommand {
  readonly op: 'serve';
  readonly listeners: readonly ListenerSpec[];
}

/**
 * A closed loop: `connections` connections, each with `inflight` calls outstanding at all times;
 * calls made during `warmupMs` are not counted, then the calls completed in the next `durationMs`
 * are. Every answer is checked against the request; the first failure voids the run.
 */
export interface RunCommand {
  readonly op: 'run';
  readonly target: TargetSpec;
  readonly payload: Payload;
  readonly connections: number;
  readonly inflight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}

/** The agent's process CPU time so far (every thread), for the server side of a window. */
export interface CpuCommand {
  readonly op: 'cpu';
}

export interface ExitCommand {
  readonly op: 'exit';
}

export type Command = ServeCommand | RunCommand | CpuCommand | ExitCommand;

export interface Answer {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: string;
  /** serve: listener key -> why it could not start. */
  readonly failed?: Readonly<Record<string, string>>;
  /** run: calls completed in the measured window, and the window's length. */
  readonly calls?: number;
  readonly seconds?: number;
  /** run: every call completed from the start of the warm-up to the end of the drain, and the process's CPU time over that span. */
  readonly totalCalls?: number;
  /** run: as above; cpu: the process's CPU time so far. */
  readonly cpuSeconds?: number;
  /**
   * Node agents only. run: the share of that span in which the process's event loop was busy
   * (performance.eventLoopUtilization); cpu: the loop's busy and idle milliseconds so far. Near 1,
   * the one JavaScript thread, not the peer or the wire, sets the rate.
   */
  readonly loopBusy?: number;
  readonly loopActiveMs?: number;
  readonly loopIdleMs?: number;
  /**
   * Node agents only (gc-clock.ts). run: the main thread's collection pauses and the mark-compacts
   * over the same span as cpuSeconds; cpu: both so far.
   */
  readonly gcPauseSeconds?: number;
  readonly markCompacts?: number;
}

/** The bytes every bench client sends (the same pattern in every language). */
export function payloadBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

export const PAYLOAD_INT = 42;
