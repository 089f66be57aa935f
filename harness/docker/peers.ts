// The reference peers: one folder per peer under containers/, each described by its peer.json
// (schema: harness/schemas/peer.schema.json; contract: containers/README.md). A peer.json names
// the family, the language, the releases it builds (each with its build arguments and the library
// versions shown in reports), the shared data folders baked into the image, and its offers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import type { Family, Language, Offer } from '../matrix/axes.ts';
import { validated } from '../schemas/validate.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const CONTAINERS_DIR = join(REPO_ROOT, 'containers');

/** One release of a peer: built from the peer's Dockerfile with these build arguments. */
export interface PeerVersion {
  readonly version: string;
  /** The release a default run uses (exactly one per peer). */
  readonly default?: boolean;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Library -> version, shown in every report. */
  readonly libraries: Readonly<Record<string, string>>;
}

/** Case ids a peer cannot run at all (e.g. a code generator without uuid), with the reason. */
export interface PeerCaseSkip {
  /** A case-id glob. */
  readonly case: string;
  readonly reason: string;
  /** A semver range of the releases the skip applies to (default: all). */
  readonly versions?: string;
  /** The role the skip applies to (default: both). */
  readonly role?: 'client' | 'server';
}

export interface PeerDescriptor {
  /** Folder name under containers/ (e.g. "python-avro"). */
  readonly folder: string;
  readonly id: string;
  readonly family: Family;
  readonly language: Language;
  readonly description?: string;
  /** Repository-relative folders copied into the image under /spec/<same path>. */
  readonly shared: readonly string[];
  /** Seconds a server plan may take to print READY. */
  readonly startupSeconds: number;
  readonly versions: readonly PeerVersion[];
  readonly server: readonly Offer[];
  readonly client: readonly Offer[];
  readonly cases?: { readonly skip?: readonly PeerCaseSkip[] };
}

/** A peer at one release: what a cell talks to, with the offers that release has. */
export interface PeerRelease {
  readonly peer: PeerDescriptor;
  readonly version: string;
  readonly libraries: Readonly<Record<string, string>>;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly server: readonly Offer[];
  readonly client: readonly Offer[];
  /** "python-avro@1.12.2": the key of this release's image. */
  readonly key: string;
}

type PeerJson = Omit<PeerDescriptor, 'folder'>;

let cache: PeerDescriptor[] | undefined;

export function loadPeers(): PeerDescriptor[] {
  cache ??= readdirSync(CONTAINERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(CONTAINERS_DIR, entry.name, 'peer.json')))
    .map((entry) => {
      const file = join(CONTAINERS_DIR, entry.name, 'peer.json');
      const json = validated<PeerJson>('peer', JSON.parse(readFileSync(file, 'utf8')), `containers/${entry.name}/peer.json`);
      const defaults = json.versions.filter((v) => v.default === true).length;
      if (defaults !== 1) throw new Error(`containers/${entry.name}/peer.json: exactly one version must be "default": true (found ${defaults})`);
      return { ...json, folder: entry.name };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
  return cache;
}

export function peersOf(family: Family): PeerDescriptor[] {
  return loadPeers().filter((peer) => peer.family === family);
}

export function peerByFolder(folder: string): PeerDescriptor {
  const peer = loadPeers().find((p) => p.folder === folder);
  if (!peer) throw new Error(`no reference peer "${folder}" under containers/`);
  return peer;
}

/** Whether an offer or a skip with this range holds for a release ("" or absent: every release). */
export function inRange(version: string, range: string | undefined): boolean {
  if (!range) return true;
  // Asked for every cell and case of a plan (offers, skips, known failures): semver parses the
  // range each time, so each answer is kept, by range then version (a key made of both was a new
  // string to hash per question: 12% of planning every release).
  let answers = rangeAnswers.get(range);
  if (answers === undefined) {
    answers = new Map();
    rangeAnswers.set(range, answers);
  }
  let answer = answers.get(version);
  if (answer === undefined) {
    const coerced = semver.coerce(version, { includePrerelease: true })?.version ?? version;
    answer = semver.satisfies(coerced, range, { includePrerelease: true });
    answers.set(version, answer);
  }
  return answer;
}

const rangeAnswers = new Map<string, Map<string, boolean>>();

export function releaseOf(peer: PeerDescriptor, version: PeerVersion): PeerRelease {
  return {
    peer, version: version.version, libraries: version.libraries, buildArgs: version.buildArgs ?? {},
    server: peer.server.filter((o) => inRange(version.version, o.versions)),
    client: peer.client.filter((o) => inRange(version.version, o.versions)),
    key: `${peer.folder}@${version.version}`,
  };
}

export function defaultVersion(peer: PeerDescriptor): PeerVersion {
  const found = peer.versions.find((v) => v.default === true);
  if (!found) throw new Error(`peer ${peer.folder} has no default version`);
  return found;
}

/**
 * Which releases a run covers: "default" (each peer's default release), "all", or a comma list of
 * versions ("1.11.5,1.12.2") or peer@version pairs ("java@0.16.0"); an unknown one is an error.
 */
export function selectReleases(peers: readonly PeerDescriptor[], selection: string | undefined): PeerRelease[] {
  const wanted = (selection ?? 'default').trim();
  if (wanted === 'default' || wanted === '') return peers.map((p) => releaseOf(p, defaultVersion(p)));
  if (wanted === 'all') return peers.flatMap((p) => p.versions.map((v) => releaseOf(p, v)));
  const items = wanted.split(',').map((s) => s.trim()).filter(Boolean);
  const releases: PeerRelease[] = [];
  for (const peer of peers) {
    for (const version of peer.versions) {
      if (items.some((item) => item === version.version || item === `${peer.id}@${version.version}` || item === `${peer.folder}@${version.version}`)) {
        releases.push(releaseOf(peer, version));
      }
    }
    // A peer the list does not mention stays at its default release.
    const mentioned = items.some((item) => peer.versions.some((v) => item === v.version) || item.startsWith(`${peer.id}@`) || item.startsWith(`${peer.folder}@`));
    if (!mentioned) releases.push(releaseOf(peer, defaultVersion(peer)));
  }
  return releases;
}

/** Every version word a selection may name, for "did you mean" messages. */
export function knownVersionWords(peers: readonly PeerDescriptor[]): string[] {
  return ['default', 'all', ...new Set(peers.flatMap((p) => p.versions.flatMap((v) => [v.version, `${p.id}@${v.version}`])))];
}

/** The skip entry that keeps a case out of this release in this role, if any. */
export function peerSkipFor(release: PeerRelease, role: 'client' | 'server', caseId: string, matches: (glob: string, id: string) => boolean): PeerCaseSkip | undefined {
  return release.peer.cases?.skip?.find((s) => (!s.role || s.role === role) && inRange(release.version, s.versions) && matches(s.case, caseId));
}
