// Options the CLI hands to a test run through the environment (next to CONFORMANCE_FILTER and
// CONFORMANCE_CASE, which harness/matrix and define-cells.ts read). One place defines the names.
export const ENV = {
  filter: 'CONFORMANCE_FILTER',
  caseGlob: 'CONFORMANCE_CASE',
  /** Milliseconds one case may take (default 60 000). */
  caseTimeoutMs: 'CONFORMANCE_CASE_TIMEOUT_MS',
  /** Seconds one cell's setup (peer server start, or the whole peer client run) may take (default 300). */
  cellTimeoutSeconds: 'CONFORMANCE_CELL_TIMEOUT_S',
  /** "1": transports record wire bytes for every case, not only on failure. */
  trace: 'CONFORMANCE_TRACE',
  /** "1": leave peer containers running after the run (removed by the next run's sweep). */
  keep: 'CONFORMANCE_KEEP',
  /** A case glob: those ts-client cases run through harness/wire/fault-proxy.ts, which breaks a byte. */
  injectFault: 'CONFORMANCE_INJECT_FAULT',
  /** Which peer releases run: "default", "all", or a comma list (harness/docker/peers.ts selectReleases). */
  versions: 'CONFORMANCE_VERSIONS',
  /** The implementations under test, a JSON array of in-tree ids and adapter module paths (harness/contract/load.ts). */
  implementations: 'CONFORMANCE_IMPLEMENTATIONS',
  /**
   * Who is under test as the reports show them (JSON, VersionedImplementation[]). The CLI describes
   * the adapters in plain Node, so that the results reporter never imports adapter code inside
   * vitest's main process: a merge crashed there once, importing impls/avro through vite's module
   * runner ("newRegistry is not a function", a module seen before it had finished evaluating).
   */
  implementationsOfRun: 'CONFORMANCE_RUN_IMPLEMENTATIONS',
} as const;

export const DEFAULT_CASE_TIMEOUT_MS = 60_000;
export const DEFAULT_CELL_TIMEOUT_SECONDS = 300;

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return value;
}

export function caseTimeoutMs(): number {
  return positive(ENV.caseTimeoutMs, DEFAULT_CASE_TIMEOUT_MS);
}

export function cellTimeoutSeconds(): number {
  return positive(ENV.cellTimeoutSeconds, DEFAULT_CELL_TIMEOUT_SECONDS);
}

export function keepContainers(): boolean {
  return process.env[ENV.keep] === '1';
}

export function traceWire(): boolean {
  return process.env[ENV.trace] === '1';
}

/** The case glob whose ts-client cases get a wire fault injected, if any. */
export function injectFaultGlob(): string | undefined {
  return process.env[ENV.injectFault] || undefined;
}

/** The peer releases this run covers: "default" unless --versions said otherwise. */
export function versionSelection(): string {
  return process.env[ENV.versions] || 'default';
}
