// The one case filter: which cases of a family's catalogue run in a cell. Used by `list`, by `run`
// and by the suites, so that what is listed is what runs.
//
// A case runs in a cell when
//   - the cell has what the case asks for (its `protocol` / `protocols`, `directions`, `transports`,
//     `sockets`: absent means any),
//   - the run's case glob (--case) matches its id,
//   - the implementation can run its kind (the family says which features a kind needs).
// A case an implementation or a peer release declares it cannot run (`cases.skip` in its
// capabilities or peer.json, with a reason) stays in the cell as skipped with that reason.
import type { Cell } from './axes.ts';
import { globRegExp } from './glob.ts';
import type { ImplementationCapabilities } from '../contract/capabilities.ts';
import { peerSkipFor, type PeerRelease } from '../docker/peers.ts';

/** The fields of a catalogue case that restrict where it runs (every family uses these names). */
export interface CatalogueCase {
  readonly id: string;
  readonly kind: string;
  /** Avro: the protocol file, which is also the matrix's protocol axis. */
  readonly protocol?: string;
  readonly protocols?: readonly string[];
  readonly directions?: readonly string[];
  readonly transports?: readonly string[];
  readonly sockets?: readonly string[];
  /**
   * The axes the case's outcome can depend on, beside family, direction and implementation
   * (data/README.md, "Scope"). Absent: every axis, so the case runs in every cell it applies to.
   * A value-encoding case, say, can depend on the protocol and the peer but not on the socket or
   * the server kind: it runs once per such combination, in that combination's first cell.
   */
  readonly scope?: readonly ScopeAxis[];
}

export const SCOPE_AXES = ['peer', 'version', 'transport', 'protocol', 'socket', 'serverKind'] as const;
export type ScopeAxis = (typeof SCOPE_AXES)[number];

export function appliesTo(c: CatalogueCase, cell: Cell): boolean {
  return (c.protocol === undefined || c.protocol === cell.protocol)
    && (!c.protocols || c.protocols.includes(cell.protocol))
    && (!c.directions || c.directions.includes(cell.direction))
    && (!c.transports || c.transports.includes(cell.transport))
    && (!c.sockets || c.sockets.includes(cell.socket));
}

export interface SelectionContext<C extends CatalogueCase> {
  /** The --case glob, if any. */
  readonly caseGlob?: string | undefined;
  readonly implementation: ImplementationCapabilities;
  readonly release: PeerRelease;
  /** Whether the implementation can run this kind in this direction (the family's feature rules). */
  readonly supports: (c: C, cell: Cell) => boolean;
}

export interface SelectedCase<C> {
  readonly testCase: C;
  /** Present when the case is declared unrunnable by one side: reported as skipped with this. */
  readonly skip?: string;
}

/** The ids of the selected cases that run (not skipped), in order. */
export function runIds(cases: readonly SelectedCase<{ readonly id: string }>[]): string[] {
  return cases.filter((c) => c.skip === undefined).map((c) => c.testCase.id);
}

function globMatches(glob: string, id: string): boolean {
  return globRegExp(glob).test(id);
}

export function selectCases<C extends CatalogueCase>(cases: readonly C[], cell: Cell, context: SelectionContext<C>): SelectedCase<C>[] {
  const glob = context.caseGlob ? globRegExp(context.caseGlob) : undefined;
  const ourRole = cell.direction === 'ts-client' ? 'client' : 'server';
  const peerRole = ourRole === 'client' ? 'server' : 'client';
  return cases
    .filter((c) => appliesTo(c, cell) && (!glob || glob.test(c.id)) && context.supports(c, cell))
    .map((testCase) => {
      const ours = context.implementation.cases?.skip?.find((s) => (!s.role || s.role === ourRole) && globMatches(s.case, testCase.id));
      if (ours) return { testCase, skip: `${context.implementation.id} cannot run this case: ${ours.reason}` };
      const theirs = peerSkipFor(context.release, peerRole, testCase.id, globMatches);
      if (theirs) return { testCase, skip: `${context.release.peer.id} ${context.release.version} cannot run this case: ${theirs.reason}` };
      return { testCase };
    });
}

/**
 * Where a scoped case runs: the key of its group of cells. `codec` is the peer's codec for the
 * cell (Offer.codec): cells that one scope cannot tell apart still differ when the peer's library
 * encodes and decodes the protocol with other code in them.
 */
export function scopeKey(c: CatalogueCase, cell: Cell, codec: string | undefined): string | undefined {
  if (!c.scope) return undefined;
  const axes = c.scope;
  return [c.id, cell.family, cell.direction, cell.implementation, ...SCOPE_AXES.map((axis) => (axes.includes(axis) ? cell[axis] : '*')), codec].join('|');
}

const SOCKET_RANK: Readonly<Record<string, number>> = { tcp: 0, tls: 1, unix: 2 };

/**
 * Orders the cells of a scope group: the first is where the case runs. Plain TCP first, then the
 * transports and server kinds in the order the implementation and the peer declare them (their
 * first offers are their plainest), so the choice is stable and readable in `list`.
 */
export function scopeRank(cell: Cell, transportOrder: readonly string[], kindOrder: readonly string[]): number[] {
  const index = (list: readonly string[], value: string): number => {
    const at = list.indexOf(value);
    return at < 0 ? list.length : at;
  };
  return [SOCKET_RANK[cell.socket] ?? 9, index(transportOrder, cell.transport), index(kindOrder, cell.serverKind)];
}
