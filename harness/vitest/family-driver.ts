// What a family (suites/avro, suites/thrift) gives the runner: its catalogue and feature rules
// (harness/matrix/plan.ts), how an implementation's client runs one case against a peer server,
// and how an implementation's server is started for a peer client's cases.
import type { Cell } from '../matrix/axes.ts';
import type { CatalogueCase } from '../matrix/case-filter.ts';
import type { FamilyCatalogue } from '../matrix/plan.ts';
import type { LoadedImplementation } from '../contract/load.ts';
import type { TlsFiles } from '../run/tls.ts';
import type { ConnectionRecorders, WireRecorder } from '../../impls/wire/recorder.ts';

/** Where a server of a cell listens: a TCP port on 127.0.0.1, or a Unix socket path; TLS files for tls. */
export interface Endpoint {
  readonly host: string;
  /** 0 for a Unix socket. */
  readonly port: number;
  readonly socket: string;
  readonly path?: string;
  readonly tls?: TlsFiles;
}

export interface ClientCaseRun<C> {
  readonly cell: Cell;
  readonly implementation: LoadedImplementation;
  readonly endpoint: Endpoint;
  readonly testCase: C;
  /** Every connection the case opens reports its bytes here (the case's wire dump). */
  readonly recorder: WireRecorder;
}

export interface ServerStartRun<C> {
  readonly cell: Cell;
  readonly implementation: LoadedImplementation;
  readonly endpoint: Endpoint;
  /** The cases the peer client will run against this server, in order. */
  readonly cases: readonly C[];
  readonly recorders: ConnectionRecorders;
  /** Where the server's own log lines go (the contract's `log` server option); by default, the implementation's choice. */
  readonly log?: (line: string) => void;
}

export interface TsServer {
  /**
   * Problems the server saw while handling a case (e.g. a request value that differs from the
   * case); window: the case's time span on the wall clock, from the peer client's TAP.
   */
  problemsFor(caseId: string, window?: { readonly from: number; readonly to: number }): readonly string[];
  /** Set when the server died on its own: the reason. */
  crashed?(): string | undefined;
  close(): Promise<void>;
}

export interface FamilyDriver<C extends CatalogueCase> extends FamilyCatalogue<C> {
  /**
   * This driver's module (its import.meta.url), which must default-export it: our servers run in a
   * process of their own (server-host.ts), which loads the driver from there.
   */
  readonly module: string;
  /** Runs one case with the implementation's client against the peer server; throws on a mismatch. */
  runClientCase(run: ClientCaseRun<C>): Promise<void>;
  /** Starts the implementation's server for a cell at the endpoint (in the server host's process). */
  startServer(run: ServerStartRun<C>): Promise<TsServer>;
  /** Extra fields for the cell's listener in a peer's server plan (e.g. per-case setup). */
  listenerExtras?(cell: Cell, cases: readonly C[]): Readonly<Record<string, unknown>>;
}
