// Runs once per test run, in the main vitest process, before any worker starts:
// checks the Docker engine, sweeps containers of crashed runs, builds (or reuses) the peer images,
// and removes this run's containers at the end, after a failure and on Ctrl-C.
import type { TestProject } from 'vitest/node';
import { configureReaper, probeEngine } from '../docker/engine.ts';
import { removeRunContainersSync, sweepOrphans } from '../docker/containers.ts';
import { ensurePeerImage, pruneOldPeerImages } from '../docker/images.ts';
import { loadPeers, type PeerDescriptor } from '../docker/peers.ts';
import { filterFromEnv, type CellFilter } from '../matrix/cells.ts';
// [datafile] which peers write and read data files (the Avro peers' `datafile` role).
import { PEER_FOLDERS as DATAFILE_PEER_FOLDERS } from '../../suites/datafile/plan.ts';

const log = (line: string): void => { process.stderr.write(`conformance: ${line}\n`); };

export default async function setup(project: TestProject): Promise<() => void> {
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  process.env['CONFORMANCE_RUN_ID'] = runId;
  process.env['CONFORMANCE_OWNER_PID'] = String(process.pid);

  const engine = await probeEngine();
  if (!engine.ok) {
    const line = `Docker is unreachable: ${engine.reason}`;
    if (process.env['CI'] === 'true') throw new Error(`${line}. CI needs the engine: run harness/host/bootstrap.sh first.`);
    log(`!!! ${line} -- SKIPPING every container suite (unit tests still run) !!!`);
    project.provide('conformance', { docker: false, skipReason: line, runId, ownerPid: process.pid, images: {}, ryukDisabled: true });
    return () => undefined;
  }

  const notice = await configureReaper();
  if (notice) log(notice);
  const swept = await sweepOrphans();
  if (swept > 0) log(`removed ${swept} container(s) left by an earlier run that crashed`);

  // [results] --keep (CONFORMANCE_KEEP=1) leaves the containers for a person to inspect; the next run's sweep removes them.
  const cleanup = (): void => { if (process.env['CONFORMANCE_KEEP'] !== '1') removeRunContainersSync(runId); };
  const onSignal = (signal: NodeJS.Signals): void => {
    const removed = removeRunContainersSync(runId);
    log(`${signal}: removed ${removed} container(s) of this run`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const filter = filterFromEnv();
  const images: Record<string, string> = {};
  for (const peer of loadPeers()) {
    if (!mayTakePart(peer, filter)) continue;
    const image = await ensurePeerImage(peer, log);
    images[peer.folder] = image.tag;
    if (image.built) await pruneOldPeerImages(peer, image.tag);
  }
  project.provide('conformance', {
    docker: true, skipReason: '', runId, ownerPid: process.pid, images,
    ryukDisabled: process.env['TESTCONTAINERS_RYUK_DISABLED'] === 'true',
  });
  return cleanup;
}

/**
 * Whether the filter can select a cell this peer takes part in: its own family's, or for a peer
 * with a data-file role the data-file matrix's, where a reference-to-reference cell's peer axis
 * names both sides ("python+java").
 */
export function mayTakePart(peer: PeerDescriptor, filter: CellFilter): boolean {
  const datafile = Object.values(DATAFILE_PEER_FOLDERS).includes(peer.folder);
  if (filter.family && filter.family !== peer.family && !(datafile && filter.family === 'avro-datafile')) return false;
  if (filter.peer && filter.peer !== peer.id && !(datafile && filter.peer.split('+').includes(peer.id))) return false;
  return true;
}

export interface ConformanceContext {
  readonly docker: boolean;
  readonly skipReason: string;
  readonly runId: string;
  readonly ownerPid: number;
  /** Peer folder -> image tag built for this run. */
  readonly images: Readonly<Record<string, string>>;
  readonly ryukDisabled: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    conformance: ConformanceContext;
  }
}
