// The words of the suite's matrix axes (suites/thrift/data/README.md) as plans our client and
// server follow: which protocol requests and answers are written in, whether names are
// multiplexed, how messages are framed on the socket.
import { isProtocolName, type ProtocolName } from './protocol/index.ts';

export interface ProtocolPlan {
  /** What clients write and servers read. */
  readonly request: ProtocolName;
  /** What servers write and clients read. */
  readonly response: ProtocolName;
  /** Calls carry "Service:method" names (TMultiplexedProtocol). */
  readonly multiplexed: boolean;
  /** Server: plain names go to the default service (registerDefault). */
  readonly defaultService: boolean;
}

/**
 * binary, accel-binary (Python's C codec; the same bytes), compact, json; multiplexed-<p>;
 * default-service-<p> (a multiplexed server with a default service; its clients are plain);
 * mixed-<request>-<response> (e.g. mixed-compact-binary: requests compact, answers binary).
 */
export function protocolPlan(axis: string, role: 'client' | 'server'): ProtocolPlan {
  const plain = (p: string): ProtocolName => {
    const name = p === 'accel-binary' ? 'binary' : p;
    if (!isProtocolName(name)) throw new Error(`unknown Thrift protocol "${axis}"`);
    return name;
  };
  if (axis.startsWith('multiplexed-')) {
    const p = plain(axis.slice('multiplexed-'.length));
    return { request: p, response: p, multiplexed: true, defaultService: false };
  }
  if (axis.startsWith('default-service-')) {
    const p = plain(axis.slice('default-service-'.length));
    return { request: p, response: p, multiplexed: role === 'server', defaultService: role === 'server' };
  }
  const mixed = /^mixed-([a-z]+)-([a-z]+)$/.exec(axis);
  if (mixed) return { request: plain(mixed[1] ?? ''), response: plain(mixed[2] ?? ''), multiplexed: false, defaultService: false };
  const p = plain(axis);
  return { request: p, response: p, multiplexed: false, defaultService: false };
}

export type TransportName = 'buffered' | 'framed' | 'fastframed' | 'http' | 'zlib' | 'header' | 'header-zlib';

export const TRANSPORTS: readonly TransportName[] = ['buffered', 'framed', 'fastframed', 'http', 'zlib', 'header', 'header-zlib'];

export function transportName(word: string): TransportName {
  if (!(TRANSPORTS as readonly string[]).includes(word)) throw new Error(`unknown Thrift transport "${word}" (one of ${TRANSPORTS.join(', ')})`);
  return word as TransportName;
}

/** How messages are delimited on a socket transport. */
export function framingOf(transport: TransportName): 'unframed' | 'framed' | 'header' {
  switch (transport) {
    case 'framed': case 'fastframed': return 'framed';
    case 'header': case 'header-zlib': return 'header';
    default: return 'unframed';
  }
}
