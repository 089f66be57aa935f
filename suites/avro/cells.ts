// The Avro cells: computed from impls/avro/capabilities.json and the Avro peers' peer.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peersOf, REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Capabilities, Cell } from '../../harness/matrix/axes.ts';
import { crossCells, filterFromEnv, matchesFilter } from '../../harness/matrix/cells.ts';

export function typescriptAvro(): Capabilities[] {
  return [JSON.parse(readFileSync(join(REPO_ROOT, 'impls', 'avro', 'capabilities.json'), 'utf8')) as Capabilities];
}

export function avroCells(peer: string): Cell[] {
  return crossCells('avro', typescriptAvro(), peersOf('avro').filter((p) => p.id === peer))
    .filter((cell) => matchesFilter(cell, filterFromEnv()));
}
