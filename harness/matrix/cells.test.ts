import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImplementationCapabilities } from '../contract/capabilities.ts';
import { releaseOf, type PeerDescriptor } from '../docker/peers.ts';
import { crossCells, filterFromEnv, matchesFilter } from './cells.ts';

const ts = (client: ImplementationCapabilities['client'], server: ImplementationCapabilities['server'], family: 'avro' | 'thrift' = 'thrift'): ImplementationCapabilities =>
  ({ id: 'ours', family, language: 'typescript', versions: {}, client, server });
const peer = (server: PeerDescriptor['server'], client: PeerDescriptor['client'], family: 'avro' | 'thrift' = 'thrift'): PeerDescriptor => ({
  folder: `p-${family}`, id: 'p', family, language: 'java', shared: [], startupSeconds: 1,
  versions: [{ version: '1.0.0', default: true, libraries: {} }], server, client,
});

describe('crossCells', () => {
  it('pairs offers only when transport, protocol and socket all agree (tcp when an offer names none)', () => {
    const cells = crossCells('thrift', [ts([
      { transport: 'framed', protocol: 'binary' },
      { transport: 'framed', protocol: 'compact' },
      { transport: 'buffered', protocol: 'binary' },
      { transport: 'framed', protocol: 'binary', socket: 'tls' },
    ], [])], [releaseOf(peer([{ transport: 'framed', protocol: 'binary', socket: 'tcp' }], []), { version: '1.0.0', libraries: {} })]);
    expect(cells.map((c) => `${c.direction} ${c.transport} ${c.protocol} ${c.socket} ${c.serverKind}`)).toEqual(['ts-client framed binary tcp default']);
  });

  it('makes ts-server cells from our server offers and the peer client offers, with our server kind', () => {
    const cells = crossCells('thrift', [ts([], [{ transport: 'http', protocol: 'json', serverKind: 'ours' }])],
      [releaseOf(peer([], [{ transport: 'http', protocol: 'json' }, { transport: 'http', protocol: 'binary' }]), { version: '1.0.0', libraries: {} })]);
    expect(cells).toEqual([{
      family: 'thrift', direction: 'ts-server', client: 'p', server: 'ours', peer: 'p', version: '1.0.0', implementation: 'ours',
      transport: 'http', protocol: 'json', socket: 'tcp', serverKind: 'ours',
    }]);
  });

  it('names the kind of our server "default" when its offer names none', () => {
    const cells = crossCells('thrift', [ts([], [{ transport: 'http', protocol: 'json' }])], [releaseOf(peer([], [{ transport: 'http', protocol: 'json' }]), { version: '1.0.0', libraries: {} })]);
    expect(cells.map((c) => `${c.direction} ${c.serverKind}`)).toEqual(['ts-server default']);
  });

  it('keeps families apart', () => {
    const avroPeer = releaseOf(peer([{ transport: 'http', protocol: 'mail', serverKind: 'jetty' }], [], 'avro'), { version: '1.0.0', libraries: {} });
    const thriftOurs = ts([{ transport: 'http', protocol: 'mail' }], []);
    expect(crossCells('thrift', [thriftOurs], [avroPeer])).toEqual([]);
    expect(crossCells('avro', [thriftOurs], [avroPeer])).toEqual([]);
    expect(crossCells('avro', [ts([{ transport: 'http', protocol: 'mail' }], [], 'avro')], [avroPeer]).map((c) => c.serverKind)).toEqual(['jetty']);
  });

  it('filters on every axis it is given, exactly', () => {
    const [cell] = crossCells('thrift', [ts([{ transport: 'framed', protocol: 'binary' }], [])],
      [releaseOf(peer([{ transport: 'framed', protocol: 'binary', serverKind: 'simple' }], []), { version: '1.0.0', libraries: {} })]);
    if (!cell) throw new Error('no cell');
    expect(matchesFilter(cell, {})).toBe(true);
    expect(matchesFilter(cell, { transport: 'framed', serverKind: 'simple' })).toBe(true);
    expect(matchesFilter(cell, { transport: 'framed', serverKind: 'threaded' })).toBe(false);
    expect(matchesFilter(cell, { version: '1.0' })).toBe(false);
    expect(matchesFilter(cell, { transport: 'framed', serverKind: undefined })).toBe(true); // an axis left unset
  });
});

describe('the filter of a run', () => {
  afterEach(() => { vi.unstubAllEnvs(); });

  it('comes from CONFORMANCE_FILTER, and is empty without it', () => {
    vi.stubEnv('CONFORMANCE_FILTER', '{"peer":"python","socket":"tls"}');
    expect(filterFromEnv()).toEqual({ peer: 'python', socket: 'tls' });
    vi.stubEnv('CONFORMANCE_FILTER', undefined);
    expect(filterFromEnv()).toEqual({});
  });
});
