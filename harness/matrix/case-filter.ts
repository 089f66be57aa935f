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
}

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
