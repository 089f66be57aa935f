import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABEL_OWNER_PID, LABEL_RUN, LABEL_SUITE } from '../harness/docker/containers.ts';
import { benchRunArgs, containerName, repoMounts } from './docker-run.ts';

const base = { runId: 'bench1', ownerPid: 42, args: ['x'] };

/** The value following each occurrence of a flag. */
function values(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] as string] : []));
}

describe('benchRunArgs', () => {
  it('starts a Node agent with exactly the flags of a peer, apart from image, entrypoint, mounts and workdir', () => {
    const peer = benchRunArgs({ ...base, name: 'p', peer: 'java-thrift', image: 'java:1', entrypoint: 'java', args: ['-cp', 'a', 'bench'] });
    const node = benchRunArgs({ ...base, name: 'n', peer: 'node', image: 'node:1', readOnlyMounts: ['/repo'], workdir: '/repo', args: ['/repo/bench/agent.ts', 'raw'] });
    const flags = (args: string[]) => args.filter((a) => a.startsWith('-') && !['-cp'].includes(a));
    expect(flags(peer).filter((f) => f !== '--entrypoint')).toEqual(flags(node).filter((f) => f !== '--volume' && f !== '--workdir'));
    for (const args of [peer, node]) {
      expect(args.slice(0, 4)).toEqual(['run', '-i', '--rm', '--network']);
      expect(values(args, '--network')).toEqual(['host']);
      const labels = values(args, '--label');
      expect(labels).toContain(`${LABEL_SUITE}=true`);
      expect(labels).toContain(`${LABEL_RUN}=bench1`);
      expect(labels).toContain(`${LABEL_OWNER_PID}=42`);
      expect(labels).toContain('org.avro-thrift-conformance.role=bench');
    }
    expect(values(node, '--volume')).toEqual(['/repo:/repo:ro']);
    expect(node.slice(-3)).toEqual(['node:1', '/repo/bench/agent.ts', 'raw']);
    expect(peer.slice(-4)).toEqual(['java:1', '-cp', 'a', 'bench']);
    expect(values(peer, '--entrypoint')).toEqual(['java']);
  });
});

describe('containerName', () => {
  it('keeps only characters docker accepts', () => {
    expect(containerName('bench1', 'ours/thrift client')).toBe('bench-bench1-ours-thrift-client');
  });
});

describe('repoMounts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'bench-mounts-'));
    dirs.push(d);
    return d;
  };

  it('mounts the repository alone when node_modules is inside it', () => {
    const repo = tmp();
    mkdirSync(join(repo, 'node_modules'));
    expect(repoMounts(repo)).toEqual([repo]);
  });

  it('also mounts the real node_modules when it is a link out of the repository', () => {
    const repo = tmp();
    const shared = tmp();
    mkdirSync(join(shared, 'node_modules'));
    symlinkSync(join(shared, 'node_modules'), join(repo, 'node_modules'));
    expect(repoMounts(repo)).toEqual([repo, join(shared, 'node_modules')]);
  });

  it('mounts the repository alone when it has no node_modules', () => {
    const repo = tmp();
    expect(repoMounts(repo)).toEqual([repo]);
  });
});
