// Runs once per test run, in the main vitest process, before any worker starts: checks the Docker
// engine, sweeps containers of crashed runs, makes the run directory (plans, TLS material, Unix
// sockets), builds (or reuses) the image of every peer release the run needs, and removes this
// run's containers and run directory at the end. Signals are the supervisor's business
// (harness/cli/supervise.ts): it stops this process, sweeps the containers and writes the
// interrupted run's reports.
import type { TestProject } from 'vitest/node';
import { configureReaper, probeEngine } from '../docker/engine.ts';
import { removeRunContainersSync, sweepOrphans } from '../docker/containers.ts';
import { ensurePeerImage, pruneOldPeerImages } from '../docker/images.ts';
import { loadPeers, selectReleases, type PeerDescriptor, type PeerRelease } from '../docker/peers.ts';
import { filterFromEnv, type CellFilter } from '../matrix/cells.ts';
import { createRunDir, removeRunDir, RUN_DIR_ENV } from '../run/run-dir.ts';
import { makeTlsMaterial, type TlsFiles } from '../run/tls.ts';
import { recordPhase } from '../results/timings.ts';
import { versionSelection } from '../results/run-options.ts';
// [datafile] which peers write and read data files (the Avro peers' `datafile` role).
import { PEER_FOLDERS as DATAFILE_PEER_FOLDERS } from '../../suites/datafile/plan.ts';

const log = (line: string): void => { process.stderr.write(`conformance: ${line}\n`); };

/** How many images build at once: a build mostly waits on downloads and one core each. */
const BUILD_CONCURRENCY = 2;

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

  const notice = await configureReaper();
  if (notice) log(notice);
  const swept = await sweepOrphans();
  if (swept > 0) log(`removed ${swept} container(s) left by an earlier run that crashed`);

  const filter = filterFromEnv();
  const releases = selectReleases(loadPeers(), versionSelection()).filter((r) => mayTakePart(r.peer, filter));
  const started = Date.now();
  const images = await buildImages(releases);
  recordPhase('images', Date.now() - started);
  project.provide('conformance', {
    ...base, docker: true, skipReason: '', images,
    ryukDisabled: process.env['TESTCONTAINERS_RYUK_DISABLED'] === 'true',
  });
  return () => {
    // --keep (CONFORMANCE_KEEP=1) leaves the containers (and their run directory) for a person to
    // inspect; the next run's sweep removes the containers.
    if (process.env['CONFORMANCE_KEEP'] === '1') return;
    removeRunContainersSync(runId);
    removeRunDir(runDir);
  };
}

async function buildImages(releases: readonly PeerRelease[]): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  const queue = [...releases];
  const built = new Map<string, string[]>();
  const worker = async (): Promise<void> => {
    for (let release = queue.shift(); release; release = queue.shift()) {
      const image = await ensurePeerImage(release, log);
      images[release.key] = image.tag;
      built.set(release.peer.folder, [...(built.get(release.peer.folder) ?? []), image.tag]);
    }
  };
  await Promise.all(Array.from({ length: BUILD_CONCURRENCY }, worker));
  // Old images of a peer go only when this run covered all of its releases (else a default run
  // would delete the other releases' images that a --versions run built).
  for (const peer of new Set(releases.map((r) => r.peer))) {
    const tags = built.get(peer.folder) ?? [];
    if (tags.length === peer.versions.length) await pruneOldPeerImages(peer, tags);
  }
  return images;
}

/**
 * Whether the filter can select a cell this peer takes part in: its own family's, or for a peer
 * with a data-file role the data-file matrix's, where a reference-to-reference cell's peer axis
 * names both sides ("python+java").
 */
export function mayTakePart(peer: PeerDescriptor, filter: CellFilter): boolean {
  const datafile = Object.values(DATAFILE_PEER_FOLDERS).includes(peer.folder);
  const hostile = filter.family === 'hostile';
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
