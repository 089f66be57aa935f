// The run directory: one per run, on the host, bind-mounted into every peer container at the same
// path, so that a path in a plan means the same file inside and outside. It holds the plan files,
// the TLS material made for this run, and the Unix sockets. Short path on purpose: a Unix socket's
// path must fit in 108 bytes.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_DIR_ENV = 'CONFORMANCE_RUN_DIR';

/** The run directory of a run id (the same for every process that knows the id). */
export function runDirFor(runId: string): string {
  const short = runId.replace(/[^A-Za-z0-9]/g, '').slice(-16);
  return join('/tmp', `ctf-${short}`);
}

/** Creates the run directory for a run id (called by the global setup). */
export function createRunDir(runId: string): string {
  const dir = runDirFor(runId);
  for (const sub of ['plans', 'sockets', 'tls']) mkdirSync(join(dir, sub), { recursive: true });
  return dir;
}

export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The run directory of the current run (set by the global setup). */
export function runDir(): string {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) throw new Error(`${RUN_DIR_ENV} is not set: the conformance global setup did not run`);
  return dir;
}

export function planPath(name: string): string {
  return join(runDir(), 'plans', `${name}.json`);
}

/**
 * A Unix socket path for a cell key; a long key keeps its start (readable) and gains a hash of the
 * whole key (unique). The tail of the key itself would not do: keys of one slice share their start
 * and end (serverKind), so cells collided on one path (EADDRINUSE, or a client reaching another
 * cell's listener).
 */
export function socketPath(key: string): string {
  const base = join(runDir(), 'sockets');
  return join(base, `${socketName(key)}.sock`);
}

export function socketName(key: string): string {
  if (key.length <= 60) return key;
  return `${key.slice(0, 40)}-${createHash('sha256').update(key).digest('base64url').slice(0, 16)}`;
}
