// The axes of the conformance matrix. Everything here is plain data so that the TypeScript side,
// the reports and the reference peers (through their peer.json) agree on the same words.

// [datafile] 'avro-datafile': Avro object container files, writer x reader (suites/datafile).
export type Family = 'avro' | 'thrift' | 'avro-datafile';
export type Language = 'typescript' | 'python' | 'java';
// [datafile] data-file cells say which side is ours: see suites/datafile/data/README.md.
export type Direction = 'ts-client' | 'ts-server' | 'ts-writes' | 'ts-reads' | 'ts-only' | 'references';

/** One way an implementation can take part: a transport and a protocol, and for servers a kind. */
export interface Offer {
  readonly transport: string;
  readonly protocol: string;
  /** Servers only: which server implementation (e.g. "simple", "threaded", "netty"). */
  readonly serverKind?: string;
}

/** What an implementation declares about itself. */
export interface Capabilities {
  /** Short id used in test names: "ours", "avsc5", "python", "java". */
  readonly id: string;
  readonly family: Family;
  readonly language: Language;
  /** Library name -> pinned version, shown in every report. */
  readonly versions: Readonly<Record<string, string>>;
  readonly client: readonly Offer[];
  readonly server: readonly Offer[];
}

/** One cell: a client implementation talking to a server implementation one particular way. */
export interface Cell {
  readonly family: Family;
  readonly direction: Direction;
  readonly client: string;
  readonly server: string;
  /** The reference peer in this cell (the side that is not TypeScript). */
  readonly peer: string;
  /** The TypeScript implementation under test in this cell. */
  readonly implementation: string;
  readonly transport: string;
  readonly protocol: string;
  readonly serverKind: string;
}

/** The coordinates of one test case: a cell plus the case id. */
export interface CaseCoordinates extends Cell {
  readonly case: string;
}
