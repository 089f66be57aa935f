// The one `docker run` of the bench's agents: a reference peer's bench role and a Node agent are
// started with the same flags (host network, the suite's labels, -i for the line protocol, removed
// when it ends), so that both sides of a ratio are scheduled by the same machinery. Only the
// image, the entrypoint and the read-only mounts differ.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { LABEL_OWNER_PID, LABEL_RUN, LABEL_SUITE } from '../harness/docker/containers.ts';

export interface BenchContainer {
  /** The container's name (containerName). */
  readonly name: string;
  readonly runId: string;
  readonly ownerPid: number;
  /** The label value of org.avro-thrift-conformance.peer: the peer folder, or "node" for a Node agent. */
  readonly peer: string;
  readonly image: string;
  /** Replaces the image's entrypoint when given. */
  readonly entrypoint?: string;
  /** Host paths mounted read-only at the same path inside. */
  readonly readOnlyMounts?: readonly string[];
  /** Host paths mounted writable at the same path inside (a CPU profile's folder). */
  readonly writableMounts?: readonly string[];
  readonly workdir?: string;
  /** Arguments after the image (to its entrypoint). */
  readonly args: readonly string[];
}

/** A container name docker accepts, unique per run and agent. */
export function containerName(runId: string, agentName: string): string {
  return `bench-${runId}-${agentName.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

/** The arguments of `docker` that start an agent's container. */
export function benchRunArgs(c: BenchContainer): string[] {
  const labels = {
    [LABEL_SUITE]: 'true', [LABEL_RUN]: c.runId, [LABEL_OWNER_PID]: String(c.ownerPid),
    'org.avro-thrift-conformance.role': 'bench', 'org.avro-thrift-conformance.peer': c.peer,
  };
  return [
    'run', '-i', '--rm', '--network', 'host', '--name', c.name,
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(c.readOnlyMounts ?? []).flatMap((path) => ['--volume', `${path}:${path}:ro`]),
    ...(c.writableMounts ?? []).flatMap((path) => ['--volume', `${path}:${path}`]),
    ...(c.workdir ? ['--workdir', c.workdir] : []),
    ...(c.entrypoint ? ['--entrypoint', c.entrypoint] : []),
    c.image, ...c.args,
  ];
}

/**
 * What a Node agent in a container must see of this machine: the repository, and node_modules at
 * its real path when it is a link out of the repository (a worktree sharing another checkout's
 * node_modules): Node resolves packages through their real paths.
 */
export function repoMounts(repoRoot: string): string[] {
  const mounts = [repoRoot];
  const modules = join(repoRoot, 'node_modules');
  if (existsSync(modules)) {
    const real = realpathSync(modules);
    const inside = relative(realpathSync(repoRoot), real);
    if (inside.startsWith('..') || isAbsolute(inside)) mounts.push(real);
  }
  return mounts;
}
