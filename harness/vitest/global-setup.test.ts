import { describe, expect, it } from 'vitest';
import { loadPeers } from '../docker/peers.ts';
import type { CellFilter } from '../matrix/cells.ts';
import { mayTakePart } from './global-setup.ts';

/** The peer folders whose images a run with this filter builds. */
function imagesFor(filter: CellFilter): string[] {
  return loadPeers().filter((peer) => mayTakePart(peer, filter)).map((peer) => peer.folder);
}

describe('which peer images the global setup builds for a filter', () => {
  it('builds every peer unfiltered, and a family\'s peers for that family', () => {
    expect(imagesFor({})).toEqual(loadPeers().map((p) => p.folder));
    expect(imagesFor({ family: 'thrift' })).toEqual(['java-thrift', 'python-thrift']);
    expect(imagesFor({ family: 'avro', peer: 'python' })).toEqual(['python-avro']);
  });

  it('builds the Avro peers for the data-file matrix, also for a reference-to-reference peer axis', () => {
    expect(imagesFor({ family: 'avro-datafile' })).toEqual(['java-avro', 'python-avro']);
    expect(imagesFor({ family: 'avro-datafile', peer: 'python' })).toEqual(['python-avro']);
    expect(imagesFor({ family: 'avro-datafile', peer: 'python+java' })).toEqual(['java-avro', 'python-avro']);
    expect(imagesFor({ peer: 'java+python' })).toEqual(['java-avro', 'python-avro']);
  });

  it('builds the reference peers the hostile family attacks, and no other', () => {
    expect(imagesFor({ family: 'hostile' })).toEqual(['java-avro', 'java-thrift', 'python-avro']);
    expect(imagesFor({ family: 'hostile', peer: 'python' })).toEqual(['python-avro']);
    expect(imagesFor({ family: 'hostile', peer: 'hostile' })).toEqual([]);
  });
});
