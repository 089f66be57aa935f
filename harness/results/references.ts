// Who took part and in which versions: the reference peers (containers/<peer>/peer.json) and the
// TypeScript implementations (impls/<impl>/capabilities.json). Shown in the header of every report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Capabilities } from '../matrix/axes.ts';
import { loadPeers, REPO_ROOT } from '../docker/peers.ts';
import type { VersionedImplementation } from './model.ts';

export const IMPLS_DIR = join(REPO_ROOT, 'impls');

export interface DeclaredImplementation extends Capabilities {
  /** Repository-relative folder that declares it. */
  readonly source: string;
}

/** Every impls/<folder>/capabilities.json (one object, or a list when a folder holds several). */
export function loadImplementations(root = IMPLS_DIR): DeclaredImplementation[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'capabilities.json')))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const parsed = JSON.parse(readFileSync(join(root, entry.name, 'capabilities.json'), 'utf8')) as Capabilities | Capabilities[];
      return (Array.isArray(parsed) ? parsed : [parsed]).map((c) => ({ ...c, source: `impls/${entry.name}` }));
    });
}

export function loadReferencePeers(): DeclaredImplementation[] {
  return loadPeers().map((peer) => ({ ...peer, source: `containers/${peer.folder}` }));
}

export function versioned(declared: readonly DeclaredImplementation[]): VersionedImplementation[] {
  return declared.map((d) => ({ family: d.family, id: d.id, language: d.language, source: d.source, versions: d.versions ?? {} }));
}
