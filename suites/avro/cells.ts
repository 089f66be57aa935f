// The Avro cells: computed from impls/avro/capabilities.json and the Avro peers' peer.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peersOf, REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Capabilities, Cell } from '../../harness/matrix/axes.ts';
import { crossCells, filterFromEnv, matchesFilter } from '../../harness/matrix/cells.ts';

/** The TypeScript implementations under test: our stack and avsc 5's services. */
export function typescriptAvro(): Capabilities[] {
  return ['avro', 'avsc-services'].map((folder) =>
    JSON.parse(readFileSync(join(REPO_ROOT, 'impls', folder, 'capabilities.json'), 'utf8')) as Capabilities);
}

export function avroCells(peer: string): Cell[] {
  return crossCells('avro', typescriptAvro(), peersOf('avro').filter((p) => p.id === peer))
    .filter((cell) => matchesFilter(cell, filterFromEnv()));
}
