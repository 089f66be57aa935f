// Protocols by axis name, built on npm thrift's protocol classes with what they lack: exact i64,
// container-size limits, strict or non-strict binary, multiplexed service names on write, and
// MIXED pairs (requests in one protocol, responses in another), which npm's own servers and
// connections cannot do because they take a single protocol for both directions.
import { thrift, Thrift, type MessageBegin, type Protocol, type ProtocolClass, type ProtocolTransport } from './runtime.ts';
import { ExactInt64, toExactInt64 } from './int64.ts';
import { LimitExceeded, type Limits } from './limits.ts';

export type BaseProtocol = 'binary' | 'binary-nonstrict' | 'compact' | 'json';

/** The protocol axis values shared with every peer (suites/thrift/data/README.md). */
export const PROTOCOL_AXIS = [
  'binary', 'compact', 'json', 'accel-binary', 'multiplexed-binary', 'mixed-compact-binary', 'mixed-binary-compact',
] as const;
export type ProtocolAxis = (typeof PROTOCOL_AXIS)[number];

export interface ProtocolPair {
  /** What a client writes and a server reads. */
  readonly request: BaseProtocol;
  /** What a server writes and a client reads. */
  readonly response: BaseProtocol;
  /** Calls carry "Service:method" names. */
  readonly multiplexed: boolean;
}

export function protocolPair(axis: string): ProtocolPair {
  switch (axis) {
    case 'binary':
    // Python's accelerated binary is the same wire format; our side is plain binary.
    case 'accel-binary': return { request: 'binary', response: 'binary', multiplexed: false };
    case 'compact': return { request: 'compact', response: 'compact', multiplexed: false };
    case 'json': return { request: 'json', response: 'json', multiplexed: false };
    case 'multiplexed-binary': return { request: 'binary', response: 'binary', multiplexed: true };
    case 'mixed-compact-binary': return { request: 'compact', response: 'binary', multiplexed: false };
    case 'mixed-binary-compact': return { request: 'binary', response: 'compact', multiplexed: false };
    default: throw new Error(`unknown Thrift protocol "${axis}"`);
  }
}

interface ProtocolInternals extends Protocol {
  readI64(): unknown;
  writeI64(value: unknown): void;
  readDouble(): number;
  writeDouble(value: number): void;
  readListBegin(): { etype: number; size: number };
  readSetBegin(): { etype: number; size: number };
  readMapBegin(): { ktype: number; vtype: number; size: number };
}

function checkSize(size: number, limits: Limits, what: string): void {
  if (!Number.isInteger(size) || size < 0) throw new LimitExceeded(`negative ${what} size ${size}`);
  if (size > limits.maxContainerLength) {
    throw new LimitExceeded(`${what} of ${size} elements exceeds the limit of ${limits.maxContainerLength}`);
  }
}

function baseClass(name: BaseProtocol): new (transport: ProtocolTransport) => ProtocolInternals {
  switch (name) {
    // strictRead false: accept both message header forms; strictWrite true: the versioned header.
    case 'binary': return class extends thrift.TBinaryProtocol {
      constructor(transport: ProtocolTransport) { super(transport, false, true); }
    } as unknown as new (transport: ProtocolTransport) => ProtocolInternals;
    // Writes the old header form (name first, no version) that every reader must still accept.
    case 'binary-nonstrict': return class extends thrift.TBinaryProtocol {
      constructor(transport: ProtocolTransport) { super(transport, false, false); }
    } as unknown as new (transport: ProtocolTransport) => ProtocolInternals;
    case 'compact': return thrift.TCompactProtocol as unknown as new (transport: ProtocolTransport) => ProtocolInternals;
    case 'json': return thrift.TJSONProtocol as unknown as new (transport: ProtocolTransport) => ProtocolInternals;
  }
}

/** One of npm's protocols with exact i64 and container limits. */
export function protocolClass(name: BaseProtocol, limits: Limits): ProtocolClass {
  const Base = baseClass(name);
  return class ExactProtocol extends Base {
    override readI64(): ExactInt64 { return toExactInt64(super.readI64()); }
    // npm's binary reader returns the method name of an old-style (non-strict) header as a Buffer.
    override readMessageBegin(): MessageBegin {
      const begin = super.readMessageBegin();
      const fname: unknown = begin.fname;
      // npm's compact reader returns the varint seqid unsigned (-1 reads as 4294967295); it is an i32.
      return { ...begin, fname: Buffer.isBuffer(fname) ? fname.toString('utf8') : begin.fname, rseqid: begin.rseqid | 0 };
    }
    // npm's binary and compact writers hand-roll IEEE 754 and lose the sign of -0.0 (and its
    // compact reader rounds through arithmetic): doubles go through Node's exact Buffer codecs.
    override writeDouble(value: number): void {
      if (name === 'json') {
        // npm's JSON writer emits the raw JS number: bare NaN / Infinity (not JSON) and "0" for
        // -0.0. Thrift's JSON protocol quotes the special values; -0.0 keeps its sign.
        const special = Number.isNaN(value) ? '"NaN"' : value === Infinity ? '"Infinity"' : value === -Infinity ? '"-Infinity"'
          : Object.is(value, -0) ? '-0.0' : undefined;
        if (special === undefined) super.writeDouble(value);
        else (this as unknown as { tstack: unknown[] }).tstack.push(special);
        return;
      }
      const bytes = Buffer.alloc(8);
      if (name === 'compact') bytes.writeDoubleLE(value); else bytes.writeDoubleBE(value);
      this.trans.write(bytes);
    }
    override readDouble(): number {
      if (name !== 'compact') return super.readDouble();
      return this.trans.read(8).readDoubleLE(0);
    }
    override writeI64(value: unknown): void { super.writeI64(toExactInt64(value)); }
    override readListBegin(): { etype: number; size: number } {
      const begin = super.readListBegin();
      checkSize(begin.size, limits, 'list');
      return begin;
    }
    override readSetBegin(): { etype: number; size: number } {
      const begin = super.readSetBegin();
      checkSize(begin.size, limits, 'set');
      return begin;
    }
    override readMapBegin(): { ktype: number; vtype: number; size: number } {
      const begin = super.readMapBegin();
      checkSize(begin.size, limits, 'map');
      return begin;
    }
  };
}

/** Prefixes "Service:" to the names of the calls a client writes (TMultiplexedProtocol). */
export function multiplexedClass(Base: ProtocolClass, service: string): ProtocolClass {
  return class MultiplexedProtocol extends Base {
    override writeMessageBegin(name: string, type: number, seqid: number): void {
      const call = type === Thrift.MessageType.CALL || type === Thrift.MessageType.ONEWAY;
      super.writeMessageBegin(call ? `${service}:${name}` : name, type, seqid);
    }
  };
}
