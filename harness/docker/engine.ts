// Whether a Docker engine answers, and how testcontainers must be configured to use it here.
import { execa } from 'execa';

export type EngineStatus = { ok: true; version: string } | { ok: false; reason: string };

export async function probeEngine(): Promise<EngineStatus> {
  try {
    const { stdout } = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 });
    return { ok: true, version: stdout.trim() };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n').slice(-2).join(' ') : String(error);
    return { ok: false, reason: `no Docker engine answers (${message.trim()})` };
  }
}

/** The reaper image testcontainers would start; it cannot be pulled on machines without a registry. */
export const RYUK_IMAGE = process.env['RYUK_CONTAINER_IMAGE'] ?? 'testcontainers/ryuk:0.14.0';

/**
 * Disables the Ryuk reaper when its image is not present locally and cannot be pulled.
 * The suite removes its own containers by label (see containers.ts), so nothing leaks without it.
 * Returns a one-line notice to print once, or undefined when Ryuk stays on.
 */
export async function configureReaper(): Promise<string | undefined> {
  if (process.env['TESTCONTAINERS_RYUK_DISABLED'] === 'true') return undefined;
  const present = await execa('docker', ['image', 'inspect', RYUK_IMAGE], { reject: false });
  if (present.exitCode === 0) return undefined;
  const pulled = await execa('docker', ['pull', '-q', RYUK_IMAGE], { reject: false, timeout: 60_000 });
  if (pulled.exitCode === 0) return undefined;
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  return `testcontainers: reaper image ${RYUK_IMAGE} cannot be pulled; running without Ryuk (the suite removes its containers by label itself)`;
}
