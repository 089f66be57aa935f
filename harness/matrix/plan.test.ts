// The one case filter and the plan built on it: what `list` prints is what the suites run.
import { describe, expect, it } from 'vitest';
import type { ImplementationCapabilities } from '../contract/capabilities.ts';
import { releaseOf, type PeerDescriptor, type PeerRelease } from '../docker/peers.ts';
import type { Cell, Offer } from './axes.ts';
import type { CatalogueCase } from './case-filter.ts';
import { appliesTo, runIds, scopeRank } from './case-filter.ts';
import { planFamily, type FamilyCatalogue } from './plan.ts';
import { partition } from './slices.ts';

const ours: ImplementationCapabilities = {
  id: 'ours', family: 'thrift', language: 'typescript', versions: {}, features: ['raw-wire'],
  client: [{ transport: 'framed', protocol: 'binary' }, { transport: 'framed', protocol: 'binary', socket: 'tls' }],
  server: [{ transport: 'framed', protocol: 'binary', serverKind: 'ours' }],
  cases: { skip: [{ case: 'uuid-*', reason: 'no uuid in this library', role: 'server' }] },
};
const peer: PeerDescriptor = {
  folder: 'p-thrift', id: 'p', family: 'thrift', language: 'python', shared: [], startupSeconds: 1,
  versions: [{ version: '0.25.0', default: true, libraries: {} }, { version: '0.16.0', libraries: {} }],
  server: [{ transport: 'framed', protocol: 'binary', serverKind: 'simple' }, { transport: 'framed', protocol: 'binary', socket: 'tls', serverKind: 'simple', versions: '>=0.20.0' }],
  client: [{ transport: 'framed', protocol: 'binary' }],
  cases: { skip: [{ case: 'old-*', reason: 'the old release cannot do this', versions: '<0.20.0' }] },
};
const cases: CatalogueCase[] = [
  { id: 'ping', kind: 'call' },
  { id: 'raw-garbage', kind: 'raw' },
  { id: 'only-server-side', kind: 'call', directions: ['ts-server'] },
  { id: 'tls-only', kind: 'call', sockets: ['tls'] },
  { id: 'uuid-nil', kind: 'call' },
  { id: 'old-thing', kind: 'call' },
];
const catalogue: FamilyCatalogue = {
  family: 'thrift',
  cases: () => cases,
  supports: (c, cell, implementation) => cell.direction === 'ts-server' || c.kind !== 'raw' || (implementation.features ?? []).includes('raw-wire'),
};
const releases = peer.versions.map((v) => releaseOf(peer, v));

function implementation(id: string, client: readonly Offer[], server: readonly Offer[], family: 'avro' | 'thrift' = 'thrift'): ImplementationCapabilities {
  return { id, family, language: 'typescript', versions: {}, client, server };
}
function releasesOf(id: string, server: readonly Offer[], client: readonly Offer[], versions = ['1.0.0'], family: 'avro' | 'thrift' = 'thrift'): PeerRelease[] {
  const descriptor: PeerDescriptor = {
    folder: `${id}-${family}`, id, family, language: 'java', shared: [], startupSeconds: 1, server, client,
    versions: versions.map((version) => ({ version, libraries: {} })),
  };
  return descriptor.versions.map((v) => releaseOf(descriptor, v));
}
const catalogueOf = (...all: CatalogueCase[]): FamilyCatalogue => ({ family: 'thrift', cases: () => all, supports: () => true });
const framedBinary: Offer[] = [{ transport: 'framed', protocol: 'binary' }];
// Two implementations and two peers of the family, with entries of the other family listed first
// under the same ids, so that a looser lookup finds the wrong one; 'a'+'bc' and 'ab'+'c' run together.
const several = {
  implementations: [implementation('ab', framedBinary, [], 'avro'), implementation('a', framedBinary, []), implementation('ab', framedBinary, [])],
  releases: [...releasesOf('c', framedBinary, [], ['1.0.0'], 'avro'), ...releasesOf('bc', framedBinary, []), ...releasesOf('c', framedBinary, [], ['1.0.0', '2.0.0'])],
  filter: {},
};

function plainCell(): Cell {
  const [cell] = planFamily(catalogue, { implementations: [ours], releases, filter: { direction: 'ts-client', version: '0.25.0', socket: 'tcp' } }).map((p) => p.cell);
  if (!cell) throw new Error('no cell');
  return cell;
}

function summary(filter = {}, caseGlob?: string, implementations = [ours]): string[] {
  return planFamily(catalogue, { implementations, releases, filter, caseGlob }).map((p) =>
    `${p.cell.direction} ${p.cell.peer}@${p.cell.version} ${p.cell.socket}: ${p.cases.map((c) => c.testCase.id + (c.skip ? '(skip)' : '')).join(',')}`);
}

describe('the plan of a family', () => {
  it('crosses every implementation offer with every peer release offer on transport, protocol and socket, honouring release ranges', () => {
    expect(summary()).toEqual([
      'ts-client p@0.25.0 tcp: ping,raw-garbage,uuid-nil,old-thing',
      'ts-client p@0.25.0 tls: ping,raw-garbage,tls-only,uuid-nil,old-thing',
      'ts-server p@0.25.0 tcp: ping,raw-garbage,only-server-side,uuid-nil(skip),old-thing',
      'ts-client p@0.16.0 tcp: ping,raw-garbage,uuid-nil,old-thing(skip)',
      'ts-server p@0.16.0 tcp: ping,raw-garbage,only-server-side,uuid-nil(skip),old-thing(skip)',
    ]);
  });

  it('narrows by axis filter and case glob, and leaves out cells without a case', () => {
    expect(summary({ version: '0.16.0', direction: 'ts-client' })).toEqual(['ts-client p@0.16.0 tcp: ping,raw-garbage,uuid-nil,old-thing(skip)']);
    expect(summary({}, 'tls-*')).toEqual(['ts-client p@0.25.0 tls: tls-only']);
    expect(summary({}, 'nothing-matches-*')).toEqual([]);
  });

  it('keeps a kind out of the cells of an implementation without the feature it needs', () => {
    const plain = { ...ours, features: [] };
    expect(summary({ direction: 'ts-client', version: '0.25.0', socket: 'tcp' }, undefined, [plain])).toEqual(['ts-client p@0.25.0 tcp: ping,uuid-nil,old-thing']);
  });

  it('applies the data restrictions of a case', () => {
    const cell = plainCell();
    expect(appliesTo({ id: 'a', kind: 'call', protocols: ['compact'] }, cell)).toBe(false);
    expect(appliesTo({ id: 'a', kind: 'call', transports: ['framed'] }, cell)).toBe(true);
    expect(appliesTo({ id: 'a', kind: 'call', transports: ['buffered'] }, cell)).toBe(false);
    expect(appliesTo({ id: 'a', kind: 'call', protocol: 'binary' }, cell)).toBe(true);
    expect(appliesTo({ id: 'a', kind: 'call', protocol: 'compact' }, cell)).toBe(false);
    expect(appliesTo({ id: 'a', kind: 'call', directions: ['ts-server'] }, cell)).toBe(false);
  });

  it('deals cells over slices deterministically, keeping a release, direction and socket together, balanced by weight', () => {
    const planned = planFamily(catalogue, { implementations: [ours], releases, filter: {} });
    const slices = partition(planned, 2);
    expect(slices.flat().length).toBe(planned.length);
    expect(partition(planned, 2)).toEqual(slices);
    expect(partition(planned, 7).filter((s) => s.length > 0).length).toBe(planned.length);
    for (const slice of partition(planned, 3)) {
      const keys = new Set(slice.map((p) => `${p.cell.version}|${p.cell.direction}|${p.cell.socket}`));
      expect(keys.size).toBe(slice.length); // here each group is one cell
    }
  });

  it('applies a skip to the role it names: ours as client or server, the peer as the other side', () => {
    const roles: ImplementationCapabilities = { ...ours, cases: { skip: [{ case: 'ping', reason: 'no ping in this client', role: 'client' }] } };
    const both = planFamily(catalogue, { implementations: [roles], releases: releases.slice(0, 1), filter: { socket: 'tcp' }, caseGlob: 'ping' });
    expect(both.map((p) => `${p.cell.direction} ${p.cases.map((c) => c.skip ?? 'runs').join()}`)).toEqual([
      'ts-client ours cannot run this case: no ping in this client', 'ts-server runs']);
    const peerSkips: PeerDescriptor = { ...peer, cases: { skip: [{ case: 'ping', reason: 'its server has no ping', role: 'server' }] } };
    const viaPeer = planFamily(catalogue, { implementations: [ours], releases: [releaseOf(peerSkips, peerSkips.versions[0] as never)], filter: { socket: 'tcp' }, caseGlob: 'ping' });
    expect(viaPeer.map((p) => `${p.cell.direction} ${p.cases.map((c) => c.skip ?? 'runs').join()}`)).toEqual([
      'ts-client p 0.25.0 cannot run this case: its server has no ping', 'ts-server runs']);
  });

  it('takes each cell\'s implementation and release from its own family', () => {
    const other: ImplementationCapabilities = { ...ours, family: 'avro', id: 'ours', client: ours.client, server: [] };
    const planned = planFamily(catalogue, { implementations: [other, ours], releases: releases.slice(0, 1), filter: { socket: 'tcp', direction: 'ts-client' } });
    expect(planned.map((p) => p.implementation.family)).toEqual(['thrift']);
    expect(planned.every((p) => p.release.version === '0.25.0')).toBe(true);
  });

  it('runs a scoped case once per combination of its axes, in the plainest cell', () => {
    const scoped: FamilyCatalogue = { ...catalogue, cases: () => [{ id: 'value', kind: 'call', scope: ['peer', 'version', 'protocol'] }, { id: 'ping', kind: 'call' }] };
    const planned = planFamily(scoped, { implementations: [ours], releases, filter: {} });
    const where = planned.filter((p) => p.cases.some((c) => c.testCase.id === 'value')).map((p) => `${p.cell.direction} ${p.cell.version} ${p.cell.socket}`);
    expect(where).toEqual(['ts-client 0.25.0 tcp', 'ts-server 0.25.0 tcp', 'ts-client 0.16.0 tcp', 'ts-server 0.16.0 tcp']);
    expect(planned.filter((p) => p.cases.some((c) => c.testCase.id === 'ping')).length).toBe(5);
  });

  it('plans each cell with its own implementation and release when several exist', () => {
    const planned = planFamily(catalogueOf({ id: 'ping', kind: 'call' }), several);
    expect(planned.map((p) => `${p.cell.implementation} ${p.cell.peer}@${p.cell.version}: ${p.implementation.family}/${p.implementation.id} ${p.release.peer.family}/${p.release.peer.id}@${p.release.version}`)).toEqual([
      'a bc@1.0.0: thrift/a thrift/bc@1.0.0',
      'a c@1.0.0: thrift/a thrift/c@1.0.0',
      'a c@2.0.0: thrift/a thrift/c@2.0.0',
      'ab bc@1.0.0: thrift/ab thrift/bc@1.0.0',
      'ab c@1.0.0: thrift/ab thrift/c@1.0.0',
      'ab c@2.0.0: thrift/ab thrift/c@2.0.0',
    ]);
  });

  it('runs a case scoped without the transport once more for each codec the peer declares on its offers, in both directions', () => {
    const binaryOver = (transport: string, extra: Partial<Offer> = {}): Offer => ({ transport, protocol: 'binary', ...extra });
    const both = implementation('both', [binaryOver('framed'), binaryOver('header'), binaryOver('http'), binaryOver('zlib')],
      [binaryOver('framed', { serverKind: 'ours' }), binaryOver('header', { serverKind: 'ours' }), binaryOver('http', { serverKind: 'ours' }), binaryOver('zlib', { serverKind: 'ours' })]);
    // The server's header codec is declared on one server kind only: the other kind's cell is plain.
    // Its zlib offer names no server kind (the cell's kind is then 'default').
    const peerReleases = releasesOf('p',
      [binaryOver('framed', { serverKind: 'simple' }), binaryOver('header', { serverKind: 'threaded' }), binaryOver('header', { serverKind: 'simple', codec: 'fast' }), binaryOver('http', { serverKind: 'simple' }), binaryOver('zlib', { codec: 'slow' })],
      [binaryOver('framed'), binaryOver('header', { codec: 'fast' }), binaryOver('http', { codec: 'slow' }), binaryOver('zlib', { codec: 'slow' })]);
    const planned = planFamily(catalogueOf({ id: 'value', kind: 'call', scope: ['peer', 'version', 'protocol'] }), { implementations: [both], releases: peerReleases, filter: {} });
    expect(planned.map((p) => `${p.cell.direction} ${p.cell.transport} ${p.cell.serverKind}`)).toEqual([
      'ts-client framed simple', 'ts-client header simple', 'ts-client zlib default', 'ts-server framed ours', 'ts-server header ours', 'ts-server http ours',
    ]);
    // Without codecs the same cells hold it once per direction.
    const plain = releasesOf('p', peerReleases[0]?.server.map(({ codec: _, ...o }) => o) ?? [], peerReleases[0]?.client.map(({ codec: _, ...o }) => o) ?? []);
    const once = planFamily(catalogueOf({ id: 'value', kind: 'call', scope: ['peer', 'version', 'protocol'] }), { implementations: [both], releases: plain, filter: {} });
    expect(once.map((p) => `${p.cell.direction} ${p.cell.transport}`)).toEqual(['ts-client framed', 'ts-server framed']);
  });

  it('keeps apart the scope groups of cells whose implementation and peer ids run together', () => {
    const planned = planFamily(catalogueOf({ id: 'value', kind: 'call', scope: ['peer'] }), several);
    expect(planned.map((p) => `${p.cell.implementation} ${p.cell.peer}@${p.cell.version}`)).toEqual(['a bc@1.0.0', 'a c@1.0.0', 'ab bc@1.0.0', 'ab c@1.0.0']);
  });

  it('runs a scoped case in the cell of lowest rank (socket, then transport, then server kind, as the two sides declare them; the first of equals) and drops the cells it leaves empty', () => {
    // ts-client: transports in the order of our client offers, server kinds in the order of the peer's
    // server offers. The ranks [socket, transport, kind] of its cells, in plan order, are given.
    const ours = implementation('ours', [
      { transport: 'framed', protocol: 'binary', socket: 'tls' }, // [1, 0, 0]
      { transport: 'buffered', protocol: 'binary' }, // [0, 1, 1]
      { transport: 'framed', protocol: 'binary' }, // [0, 0, 2]: runs here
      { transport: 'buffered', protocol: 'compact' }, // [0, 1, 0]
      { transport: 'framed', protocol: 'compact' }, // [0, 0, 3]
      { transport: 'framed', protocol: 'json' }, // [0, 0, 2], after an equal one
    ], [
      // ts-server: transports in the order of the peer's client offers, kinds in the order of ours.
      { transport: 'framed', protocol: 'binary', serverKind: 'pool' }, // [0, 1, 0]
      { transport: 'buffered', protocol: 'binary' }, // [0, 0, 1]
      { transport: 'buffered', protocol: 'binary', serverKind: 'pool' }, // [0, 0, 0]: runs here
    ]);
    const releases = releasesOf('p', [
      { transport: 'framed', protocol: 'binary', socket: 'tls', serverKind: 'simple' },
      { transport: 'buffered', protocol: 'binary', serverKind: 'threaded' },
      { transport: 'framed', protocol: 'binary' },
      { transport: 'buffered', protocol: 'compact', serverKind: 'simple' },
      { transport: 'framed', protocol: 'compact', serverKind: 'pool' },
      { transport: 'framed', protocol: 'json' },
    ], [{ transport: 'buffered', protocol: 'binary' }, { transport: 'framed', protocol: 'binary' }]);
    const scoped = catalogueOf({ id: 'value', kind: 'call', scope: ['peer', 'version'] });
    const where = (p: { cell: Cell }): string => `${p.cell.direction} ${p.cell.transport}/${p.cell.protocol}/${p.cell.socket} ${p.cell.serverKind}`;
    const input = { implementations: [ours], releases, filter: {} };
    expect(planFamily(catalogueOf({ id: 'ping', kind: 'call' }), input).map(where)).toEqual([
      'ts-client framed/binary/tls simple', 'ts-client buffered/binary/tcp threaded', 'ts-client framed/binary/tcp default',
      'ts-client buffered/compact/tcp simple', 'ts-client framed/compact/tcp pool', 'ts-client framed/json/tcp default',
      'ts-server framed/binary/tcp pool', 'ts-server buffered/binary/tcp default', 'ts-server buffered/binary/tcp pool',
    ]);
    expect(planFamily(scoped, input).map(where)).toEqual(['ts-client framed/binary/tcp default', 'ts-server buffered/binary/tcp pool']);
  });
});

describe('the case filter', () => {
  it('applies a peer skip for the client role to the ts-server cells only', () => {
    const peerSkips: PeerDescriptor = { ...peer, cases: { skip: [{ case: 'ping', reason: 'its client has no ping', role: 'client' }] } };
    const planned = planFamily(catalogue, { implementations: [ours], releases: [releaseOf(peerSkips, peerSkips.versions[0] as never)], filter: { socket: 'tcp' }, caseGlob: 'ping' });
    expect(planned.map((p) => `${p.cell.direction} ${p.cases.map((c) => c.skip ?? 'runs').join()}`)).toEqual([
      'ts-client runs', 'ts-server p 0.25.0 cannot run this case: its client has no ping']);
  });

  it('runs every case of an implementation that declares no skips, with or without a cases entry', () => {
    for (const declared of [implementation('ours', framedBinary, []), { ...implementation('ours', framedBinary, []), cases: {} }]) {
      const planned = planFamily(catalogueOf({ id: 'ping', kind: 'call' }), { implementations: [declared], releases: releasesOf('p', framedBinary, []), filter: {} });
      expect(planned.map((p) => runIds(p.cases))).toEqual([['ping']]);
    }
  });

  it('lists the ids of the cases that run, in order, without the skipped ones', () => {
    expect(runIds([{ testCase: { id: 'a' } }, { testCase: { id: 'b' }, skip: 'cannot' }, { testCase: { id: 'c' } }])).toEqual(['a', 'c']);
  });

  it('ranks plain TCP before TLS before a Unix socket before any other, and a transport or kind neither side declares after the declared ones', () => {
    const cell = plainCell();
    const rank = (socket: string, transport: string, serverKind: string): number[] => scopeRank({ ...cell, socket, transport, serverKind }, ['framed', 'http'], ['simple', 'threaded']);
    expect(rank('tcp', 'framed', 'simple')).toEqual([0, 0, 0]);
    expect(rank('tls', 'http', 'threaded')).toEqual([1, 1, 1]);
    expect(rank('unix', 'buffered', 'nonblocking')).toEqual([2, 2, 2]);
    expect(rank('vsock', 'framed', 'simple')).toEqual([9, 0, 0]);
  });
});
