// The matrix's axis words (suites/thrift/data/README.md) as npm thrift's own building blocks: which
// transport and protocol class its connections and servers are given. npm thrift has one
// `protocol` option per connection and per server, used for reading AND writing, so the
// mixed-<request>-<response> pairs get the request protocol both ways (what npm thrift can be told),
// and a multiplexed server has no default service (its MultiplexedProcessor has none).
import { HEADER_SUBPROTOCOL, thrift, type ProtocolClass, type TransportClass } from './runtime.ts';

export interface Stack {
  readonly transport: TransportClass;
  readonly protocol: ProtocolClass;
  /** The protocol's axis word without wrappers (binary, compact, json). */
  readonly base: 'binary' | 'compact' | 'json';
  /** Calls go through thrift.Multiplexer (client) or a thrift.MultiplexedProcessor (server). */
  readonly multiplexed: boolean;
  /** transport header: the THeader inner protocol id the client announces. */
  readonly headerProtocolId?: number;
}

const BASES: Readonly<Record<string, { readonly base: Stack['base']; readonly protocol: ProtocolClass }>> = {
  binary: { base: 'binary', protocol: thrift.TBinaryProtocol },
  // Python's C-accelerated binary protocol; every other language speaks plain binary to it.
  'accel-binary': { base: 'binary', protocol: thrift.TBinaryProtocol },
  compact: { base: 'compact', protocol: thrift.TCompactProtocol },
  json: { base: 'json', protocol: thrift.TJSONProtocol },
};

function baseOf(word: string): { readonly base: Stack['base']; readonly protocol: ProtocolClass } {
  const found = BASES[word];
  if (!found) throw new Error(`npm-thrift has no protocol ${word}`);
  return found;
}

/** The npm thrift stack for a transport and protocol axis value, on the client or the server side. */
export function stackFor(transport: string, protocol: string, role: 'client' | 'server'): Stack {
  let multiplexed = false;
  let word = protocol;
  const mixed = /^mixed-([a-z]+)-([a-z]+)$/.exec(protocol);
  if (mixed?.[1]) {
    word = mixed[1]; // the client writes it and the server reads it; npm thrift then uses it both ways
  } else if (protocol.startsWith('multiplexed-')) {
    word = protocol.slice('multiplexed-'.length);
    multiplexed = true;
  } else if (protocol.startsWith('default-service-')) {
    // The client is a plain client; the server is multiplexed (and should fall back to a default).
    word = protocol.slice('default-service-'.length);
    multiplexed = role === 'server';
  }
  const { base, protocol: protocolClass } = baseOf(word);
  switch (transport) {
    case 'buffered':
    case 'http':
      return { transport: thrift.TBufferedTransport, protocol: protocolClass, base, multiplexed };
    case 'framed':
      return { transport: thrift.TFramedTransport, protocol: protocolClass, base, multiplexed };
    case 'header': {
      // THeaderProtocol frames the message itself and wraps binary or compact; its transport must
      // derive from THeaderTransport: TBufferedTransport (TFramedTransport would frame it twice).
      if (multiplexed || base === 'json') throw new Error(`npm-thrift: THeaderProtocol carries binary or compact only, not ${protocol}`);
      return { transport: thrift.TBufferedTransport, protocol: thrift.THeaderProtocol, base, multiplexed, headerProtocolId: HEADER_SUBPROTOCOL[base] };
    }
    default:
      throw new Error(`npm-thrift has no transport ${transport}`);
  }
}
