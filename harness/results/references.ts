// Who took part and in which versions: the reference peer releases of the run (containers/<peer>/
// peer.json) and the implementations under test (impls/<impl>/adapter.ts, or out-of-tree
// adapters). Shown in the header of every report.
import { loadImplementations, type LoadedImplementation } from '../contract/load.ts';
import { loadPeers, selectReleases } from '../docker/peers.ts';
import type { VersionedImplementation } from './model.ts';
import { ENV, versionSelection } from './run-options.ts';

export function describeImplementations(loaded: readonly LoadedImplementation[]): VersionedImplementation[] {
  return loaded.map((impl) => ({
    family: impl.capabilities.family, id: impl.capabilities.id, language: impl.capabilities.language,
    source: impl.source, versions: impl.capabilities.versions,
  }));
}

/** As the CLI described them (ENV.implementationsOfRun); loaded here only when vitest runs without the CLI. */
export async function implementationsOfRun(): Promise<VersionedImplementation[]> {
  const described = process.env[ENV.implementationsOfRun];
  if (described) return JSON.parse(described) as VersionedImplementation[];
  return describeImplementations(await loadImplementations());
}

export function referencesOfRun(selection = versionSelection()): VersionedImplementation[] {
  return selectReleases(loadPeers(), selection).map((release) => ({
    family: release.peer.family, id: release.peer.id, language: release.peer.language,
    source: `containers/${release.peer.folder}`, version: release.version, versions: release.libraries,
  }));
}
