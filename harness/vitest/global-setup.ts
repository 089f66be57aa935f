// Runs once per test run, in the main vitest process, before any worker starts: checks the Docker
// engine, sweeps containers of crashed runs, makes the run directory (plans, TLS material, Unix
// sockets), builds (or reuses) the image of every peer release the run needs, and removes this
// run's containers and run directory at the end. Signals are the supervisor's business
// (harness/cli/supervise.ts): it stops this process, sweeps the containers and writes the
// interrupted run's reports.
import type { TestProject } from 'vitest/node';
import { probeEngine } from '../docker/engine.ts';
import { removeRunContainersSync, sweepOrphans } from '../docker/containers.ts';
import { buildImages } from '../docker/build-all.ts';
import { loadPeers, selectReleases, type PeerDescriptor } from '../docker/peers.ts';
import { filterFromEnv, type CellFilter } from '../matrix/cells.ts';
import { createRunDir, removeRunDir, RUN_DIR_ENV } from '../run/run-dir.ts';
import { makeTlsMaterial, type TlsFiles } from '../run/tls.ts';
import { keepShardPhases, recordPhase, SHARD_TIMINGS_ENV } from '../results/timings.ts';
import { versionSelection } from '../results/run-options.ts';
// [datafile] which peers write and read data files (the Avro peers' `datafile` role).
import { PEER_FOLDERS as DATAFILE_PEER_FOLDERS } from '../../suites/datafile/plan.ts';
import { referenceFolders as hostileReferenceFolders } from '../../suites/hostile/catalogue.ts';

const log = (line: string): void => { process.stderr.write(`conformance: ${line}\n`); };

export default async function setup(project: TestProject): Promise<() => void> {
  const runId = process.env['CONFORMANCE_RUN_ID'] || `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  process.env['CONFORMANCE_RUN_ID'] = runId;
  process.env['CONFORMANCE_OWNER_PID'] = String(process.pid);
  const runDir = createRunDir(runId);
  process.env[RUN_DIR_ENV] = runDir;
  const tls = await makeTlsMaterial(runDir);
  const base = { runId, ownerPid: process.pid, runDir, tls };

  const engine = await probeEngine();
  if (!engine.ok) {
    const line = `Docker is unreachable: ${engine.reason}`;
    if (process.env['CI'] === 'true') throw new Error(`${line}. CI needs the engine: run harness/host/bootstrap.sh first.`);
    log(`!!! ${line} -- SKIPPING every container suite (unit tests still run) !!!`);
    project.provide('conformance', { ...base, docker: false, skipReason: line, images: {}, ryukDisabled: true });
    return () => removeRunDir(runDir);
  }

  const swept = await sweepOrphans();
  if (swept > 0) log(`removed ${swept} container(s) left by an earlier run that crashed`);

  const filter = filterFromEnv();
  const releases = selectReleases(loadPeers(), versionSelection()).filter((r) => mayTakePart(r.peer, filter));
  const started = Date.now();
  const images = await buildImages(releases, log);
  recordPhase('images', Date.now() - started);
  project.provide('conformance', {
    ...base, docker: true, skipReason: '', images,
    ryukDisabled: process.env['TESTCONTAINERS_RYUK_DISABLED'] === 'true',
  });
  return () => {
    const shardTimings = process.env[SHARD_TIMINGS_ENV];
    if (shardTimings) keepShardPhases(runDir, shardTimings);
    // --keep (CONFORMANCE_KEEP=1) leaves the containers (and their run directory) for a person to
    // inspect; the next run's sweep removes the containers.
    if (process.env['CONFORMANCE_KEEP'] === '1') return;
    removeRunContainersSync(runId);
    removeRunDir(runDir);
  };
}

/**
 * Whether the filter can select a cell this peer takes part in: its own family's, or for a peer
 * with a data-file role the data-file matrix's, where a reference-to-reference cell's peer axis
 * names both sides ("python+java").
 */
export function mayTakePart(peer: PeerDescriptor, filter: CellFilter): boolean {
  const datafile = Object.values(DATAFILE_PEER_FOLDERS).includes(peer.folder);
  // [hostile] a hostile run needs the reference peers whose servers the family attacks.
  const hostile = filter.family === 'hostile' && hostileReferenceFolders().includes(peer.folder);
  if (filter.family && filter.family !== peer.family && !hostile && !(datafile && filter.family === 'avro-datafile')) return false;
  if (filter.peer && filter.peer !== peer.id && !(datafile && filter.peer.split('+').includes(peer.id))) return false;
  return true;
}

export interface ConformanceContext {
  readonly docker: boolean;
  readonly skipReason: string;
  readonly runId: string;
  readonly ownerPid: number;
  /** The run directory, bind-mounted into every peer container (harness/run/run-dir.ts). */
  readonly runDir: string;
  readonly tls: TlsFiles;
  /** Peer release key ("python-avro@1.12.2") -> image tag built for this run. */
  readonly images: Readonly<Record<string, string>>;
  readonly ryukDisabled: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    conformance: ConformanceContext;
  }
}
