// Peer images: built through testcontainers from containers/<peer>/Dockerfile, one per release
// (the release's build arguments), tagged by a hash of the build context and those arguments, so
// an unchanged peer release is never rebuilt.
//
// The build context is staged: the peer folder plus what its peer.json `shared` names under spec/:
// data folders (protocols, IDL, case catalogues), so that peers read exactly the files the
// TypeScript side reads, and code that several peers run (a folder, or a single file).
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { execa, execaSync } from 'execa';
import { CONTAINERS_DIR, REPO_ROOT, type PeerDescriptor, type PeerRelease } from './peers.ts';

export const IMAGE_REPOSITORY = 'avro-thrift-conformance';

/** The files below a folder, or the file itself when the path is one. */
function filesUnder(dir: string): string[] {
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

/**
 * The files of a repository folder (or the one file) that belong in a build context: in a git
 * checkout, the tracked ones and the untracked ones git does not ignore (so local build output such
 * as target/ neither enters the image nor changes its hash); elsewhere, every file.
 */
function contextFiles(folder: string): string[] {
  const listed = execaSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', folder],
    { cwd: REPO_ROOT, reject: false });
  if (listed.exitCode !== 0) return filesUnder(join(REPO_ROOT, folder)).map((file) => relative(REPO_ROOT, file));
  return String(listed.stdout).split('\0').filter((name) => name !== '' && statSync(join(REPO_ROOT, name), { throwIfNoEntry: false })?.isFile());
}

function copyInto(dir: string, from: string, to: string): void {
  for (const file of contextFiles(from)) {
    const target = join(dir, to, relative(from, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(REPO_ROOT, file), target);
  }
}

/**
 * Copies the peer folder and what it shares into a fresh directory: the exact build context. A
 * shared entry lands under spec/<its path>, a single file at spec/<its path> too.
 */
export function stageContext(peer: PeerDescriptor): string {
  const dir = mkdtempSync(join(tmpdir(), `conformance-${peer.folder}-`));
  copyInto(dir, relative(REPO_ROOT, join(CONTAINERS_DIR, peer.folder)), '.');
  for (const shared of peer.shared) copyInto(dir, shared, join('spec', shared));
  return dir;
}

function hashContext(dir: string, buildArgs: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const [name, value] of Object.entries(buildArgs).sort(([a], [b]) => a.localeCompare(b))) hash.update(`--build-arg ${name}=${value}\0`);
  for (const file of filesUnder(dir)) {
    hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds through the docker CLI rather than testcontainers' builder: the builder's error is only
 * "Failed to build image", and a peer whose image does not build must say why (the failing step
 * and its output) in the run log, on CI above all.
 */
async function buildImage(context: string, tag: string, buildArgs: Readonly<Record<string, string>>): Promise<void> {
  const args = Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
  const built = await execa('docker', ['build', '--quiet=false', ...args, '--tag', tag, context],
    { all: true, reject: false, env: { DOCKER_BUILDKIT: '0' } });
  if (built.exitCode === 0) return;
  const tail = String(built.all ?? '').split('\n').slice(-40).join('\n');
  throw new Error(`docker build of ${tag} failed (exit ${built.exitCode}); the last lines of its output:\n${tail}`);
}

async function imageExists(tag: string): Promise<boolean> {
  return (await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0;
}

export interface PeerImage {
  readonly tag: string;
  readonly built: boolean;
  readonly seconds: number;
}

/** Returns the image tag for a peer release, building it only when no image for this exact context exists. */
export async function ensurePeerImage(release: PeerRelease, log: (line: string) => void): Promise<PeerImage> {
  const started = Date.now();
  const peer = release.peer;
  const context = stageContext(peer);
  try {
    const tag = `${IMAGE_REPOSITORY}/${peer.folder}:${hashContext(context, release.buildArgs)}`;
    if (await imageExists(tag)) return { tag, built: false, seconds: 0 };
    log(`building ${tag} from containers/${peer.folder} for release ${release.version} (first run or peer changed)`);
    await buildImage(context, tag, release.buildArgs);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    log(`built ${tag} in ${seconds} s`);
    return { tag, built: true, seconds };
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/**
 * Removes this peer's images of earlier build contexts (hash tags other than the current ones of
 * its releases), so that editing a peer does not pile up images. Hand-made tags (e.g. :dev) are
 * left alone, and an image a container still uses simply stays.
 */
export async function pruneOldPeerImages(peer: PeerDescriptor, current: readonly string[]): Promise<number> {
  const listed = await execa('docker', ['images', `${IMAGE_REPOSITORY}/${peer.folder}`, '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
  const old = String(listed.stdout).split('\n').filter((tag) => /:[0-9a-f]{16}$/.test(tag) && !current.includes(tag));
  if (old.length > 0) await execa('docker', ['rmi', ...old], { reject: false });
  return old.length;
}
