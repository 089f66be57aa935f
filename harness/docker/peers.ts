// The reference peers: one folder per peer under containers/, each described by its peer.json.
// A peer.json is data shared with the matrix code: it names the family, the language, the pinned
// reference versions, the shared data folders baked into the image, and the peer's capabilities.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Capabilities, Family } from '../matrix/axes.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const CONTAINERS_DIR = join(REPO_ROOT, 'containers');

export interface PeerDescriptor extends Capabilities {
  /** Folder name under containers/ (e.g. "python-avro"). */
  readonly folder: string;
  /** Repository-relative folders copied into the image under /spec/<same path>. */
  readonly shared: readonly string[];
  /** Seconds a server may take to print READY. */
  readonly startupSeconds: number;
}

interface PeerJson extends Omit<PeerDescriptor, 'folder'> {}

export function loadPeers(): PeerDescriptor[] {
  return readdirSync(CONTAINERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(CONTAINERS_DIR, entry.name, 'peer.json')))
    .map((entry) => {
      const json = JSON.parse(readFileSync(join(CONTAINERS_DIR, entry.name, 'peer.json'), 'utf8')) as PeerJson;
      return { ...json, folder: entry.name };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

export function peersOf(family: Family): PeerDescriptor[] {
  return loadPeers().filter((peer) => peer.family === family);
}

export function findPeer(folder: string): PeerDescriptor | undefined {
  return loadPeers().find((p) => p.folder === folder);
}

export function peerByFolder(folder: string): PeerDescriptor {
  const peer = loadPeers().find((p) => p.folder === folder);
  if (!peer) throw new Error(`no reference peer "${folder}" under containers/`);
  return peer;
}
