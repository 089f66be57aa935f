// The axes of the conformance matrix. Everything here is plain data so that the TypeScript side,
// the reports and the reference peers (through their peer.json) agree on the same words.

// [datafile] 'avro-datafile': Avro object container files, writer x reader (suites/datafile).
// [hostile] 'hostile': bad input against servers and clients (suites/hostile).
export type Family = 'avro' | 'thrift' | 'avro-datafile' | 'hostile';
export const FAMILIES: readonly Family[] = ['avro', 'thrift', 'avro-datafile', 'hostile'];

export type Language = 'typescript' | 'python' | 'java';
// [datafile] data-file cells say which side is ours: see suites/datafile/data/README.md.
export type Direction = 'ts-client' | 'ts-server' | 'ts-writes' | 'ts-reads' | 'ts-only' | 'references';

/** The socket a transport runs over; `tcp` unless an offer says otherwise. */
export const DEFAULT_SOCKET = 'tcp';

/** One way an implementation can take part: a transport, a protocol, a socket, and for servers a kind. */
export interface Offer {
  readonly transport: string;
  readonly protocol: string;
  /** tcp (default), tls, unix. */
  readonly socket?: string;
  /** Servers only: which server implementation (e.g. "simple", "threaded", "netty"). */
  readonly serverKind?: string;
  /** Reference peers only: a semver range of the releases that have this offer (default: all). */
  readonly versions?: string;
  /**
   * Reference peers only: names the code that encodes and decodes values under this offer, where
   * the peer's library picks other code than for the same protocol over other transports
   * (python-thrift: THeaderProtocol decodes with fastbinary, THttpClient never does). A case
   * scoped without the transport runs once per codec as well (case-filter.ts, scopeKey).
   */
  readonly codec?: string;
}

/** One cell: a client implementation talking to a server implementation one particular way. */
export interface Cell {
  readonly family: Family;
  readonly direction: Direction;
  readonly client: string;
  readonly server: string;
  /** The reference peer in this cell (the side that is not TypeScript). */
  readonly peer: string;
  /** The peer's release in this cell (reference-to-reference data-file cells: "1.12.2+1.12.2"). */
  readonly version: string;
  /** The TypeScript implementation under test in this cell. */
  readonly implementation: string;
  readonly transport: string;
  readonly protocol: string;
  readonly socket: string;
  readonly serverKind: string;
}

/** The axes a cell has, in the order names and reports show them. */
export const CELL_AXES = [
  'family', 'direction', 'client', 'server', 'peer', 'version', 'implementation', 'transport', 'protocol', 'socket', 'serverKind',
] as const satisfies readonly (keyof Cell)[];

/** The coordinates of one test case: a cell plus the case id. */
export interface CaseCoordinates extends Cell {
  readonly case: string;
}
