// The image the bench's Node agents run in (bench/node-image/): debian:trixie-slim plus the Node
// binary running the bench. Tagged by a hash of the Dockerfile and that binary, so it is built
// once per Node release and never again; the code is bind-mounted at run time (docker-run.ts).
// The harness's ensurePeerImage builds only containers/<peer> folders with a peer.json, and this
// is not a peer, hence this small equivalent (same docker CLI build, same tag scheme).
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, linkSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { IMAGE_REPOSITORY } from '../harness/docker/images.ts';
import { REPO_ROOT } from '../harness/docker/peers.ts';

export const NODE_IMAGE_DIR = join(REPO_ROOT, 'bench', 'node-image');

export interface ContextFile {
  /** Its name in the build context. */
  readonly name: string;
  /** Where it is on this machine. */
  readonly path: string;
}

/** The tag for a build context of these files: a hash of names and contents, 16 hex digits as the peers'. */
export async function contextTag(files: readonly ContextFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(file.name).update('\0');
    for await (const chunk of createReadStream(file.path)) hash.update(chunk as Buffer);
    hash.update('\0');
  }
  return `${IMAGE_REPOSITORY}/bench-node:${hash.digest('hex').slice(0, 16)}`;
}

/** The build context: the Dockerfile and the Node binary (its real file, not a link to it). */
export function nodeImageContext(nodeBinary: string = process.execPath): ContextFile[] {
  return [
    { name: 'Dockerfile', path: join(NODE_IMAGE_DIR, 'Dockerfile') },
    { name: 'node', path: realpathSync(nodeBinary) },
  ];
}

export interface NodeImage {
  readonly tag: string;
  readonly built: boolean;
  readonly seconds: number;
}

/** Returns the Node agents' image tag, building it only when no image of this exact context exists. */
export async function ensureNodeImage(log: (line: string) => void, nodeBinary: string = process.execPath): Promise<NodeImage> {
  const started = Date.now();
  const files = nodeImageContext(nodeBinary);
  const tag = await contextTag(files);
  if ((await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0) return { tag, built: false, seconds: 0 };
  log(`building ${tag} from bench/node-image with Node ${process.version} (first run or Node changed)`);
  const context = mkdtempSync(join(tmpdir(), 'conformance-bench-node-'));
  try {
    for (const file of files) {
      const target = join(context, file.name);
      try {
        linkSync(file.path, target); // 130 MB of Node: a hard link when the file system allows it
      } catch {
        copyFileSync(file.path, target);
      }
    }
    const built = await execa('docker', ['build', '--quiet=false', '--tag', tag, context], { all: true, reject: false, env: { DOCKER_BUILDKIT: '0' } });
    if (built.exitCode !== 0) {
      const tail = String(built.all ?? '').split('\n').slice(-40).join('\n');
      throw new Error(`docker build of ${tag} failed (exit ${built.exitCode}); the last lines of its output:\n${tail}`);
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  log(`built ${tag} in ${seconds} s`);
  return { tag, built: true, seconds };
}
