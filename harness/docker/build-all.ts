// Builds (or finds) the image of every peer release a run needs, two at a time (on a bare 2-core
// machine the seven default images took 180 s so; three at a time took 209 s, the builds being
// mostly CPU: compiling, and checking what they built), and prunes each peer's images of older build contexts when
// all its releases were built. Used by the global setup and by `conformance images` (CI builds
// the images once and shares them with the shard jobs).
import { configureReaper } from './engine.ts';
import { ensurePeerImage, pruneOldPeerImages } from './images.ts';
import type { PeerRelease } from './peers.ts';

const BUILD_CONCURRENCY = 2;

export async function buildImages(releases: readonly PeerRelease[], log: (line: string) => void): Promise<Record<string, string>> {
  // testcontainers builds images too, and would start its reaper first: where the reaper image
  // cannot be pulled, it is turned off once, loudly (the suite removes its containers by label).
  const notice = await configureReaper();
  if (notice) log(notice);
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
