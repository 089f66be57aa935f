// When a run covers several releases of a peer (the `version` axis), one grid per family and peer:
// rows are implementation x transport x protocol, columns the peer's releases, each entry the
// share of cases that interoperate. Where a case behaves differently in a release than in the
// release before it, the entry is marked and the case that shows it is listed.
import type { CaseResult, Outcome } from '../results/model.ts';
import { tallyOf, type CellSummary, type Tally } from './aggregate.ts';
import { axisEntries, axisValue, compareVersions, interoperates } from './axes.ts';

/** Row axes, where a run has them; every other axis (direction, server kind, socket, ...) is added up. */
export const VERSION_ROW_AXES: readonly string[] = ['implementation', 'transport', 'protocol'];

export interface BehaviourChange {
  readonly case: string;
  /** The cell in the later release, for the drill-down. */
  readonly cellId: string;
  readonly title: string;
  readonly before: Outcome;
  readonly after: Outcome;
}

export interface VersionStep {
  readonly from: string;
  readonly to: string;
  /** Cases present in both releases whose interoperating changed: worked and stopped, or the reverse. */
  readonly changes: readonly BehaviourChange[];
  /**
   * Cases that changed the same way but under one intermittent known-failure entry in both
   * releases (it matched the case in both, and the case passed under it in one): chance, which
   * the entry already records, not something the release changed; listed apart, never counted as Δ.
   */
  readonly chance: readonly BehaviourChange[];
}

export interface VersionRow {
  /** "ours · framed · compact" */
  readonly label: string;
  readonly axes: Readonly<Record<string, string>>;
  /** Per release (same order as VersionGrid.versions): the tally and the cells, or undefined. */
  readonly entries: readonly ({ readonly tally: Tally; readonly cellIds: readonly string[] } | undefined)[];
  /** Per release after the first: what changed since the previous release (empty when nothing did). */
  readonly steps: readonly VersionStep[];
}

export interface VersionGrid {
  readonly family: string;
  readonly peer: string;
  readonly versions: readonly string[];
  readonly rowAxes: readonly string[];
  readonly rows: readonly VersionRow[];
}

function caseKeyWithoutVersion(result: CaseResult): string {
  return axisEntries(result.coordinates).filter(([axis]) => axis !== 'version').map(([, value]) => value).join('\u0000');
}

export function versionGrids(cells: readonly CellSummary[]): VersionGrid[] {
  const byPeer = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    if (cell.axes['version'] === undefined) continue;
    const key = `${cell.family}\u0000${cell.axes['peer'] ?? ''}`;
    const list = byPeer.get(key);
    if (list) list.push(cell);
    else byPeer.set(key, [cell]);
  }
  const grids: VersionGrid[] = [];
  for (const [key, peerCells] of [...byPeer].sort(([a], [b]) => a.localeCompare(b))) {
    const versions = [...new Set(peerCells.map((c) => c.axes['version'] as string))].sort(compareVersions);
    if (versions.length < 2) continue;
    const [family = '', peer = ''] = key.split('\u0000');
    const rowAxes = VERSION_ROW_AXES.filter((axis) => peerCells.some((c) => c.axes[axis] !== undefined));
    const rows = new Map<string, { axes: Record<string, string>; byVersion: Map<string, CellSummary[]> }>();
    for (const cell of peerCells) {
      const axes = Object.fromEntries(rowAxes.map((axis) => [axis, cell.axes[axis] ?? '']));
      const rowKey = rowAxes.map((axis) => axes[axis]).join('\u0000');
      const row = rows.get(rowKey) ?? { axes, byVersion: new Map<string, CellSummary[]>() };
      const version = cell.axes['version'] as string;
      row.byVersion.set(version, [...(row.byVersion.get(version) ?? []), cell]);
      rows.set(rowKey, row);
    }
    const gridRows = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]): VersionRow => {
      const entries = versions.map((version) => {
        const here = row.byVersion.get(version);
        return here ? { tally: tallyOf(here), cellIds: here.map((c) => c.cellId) } : undefined;
      });
      const steps = versions.slice(1).map((to, index): VersionStep => {
        const from = versions[index] as string;
        const before = new Map<string, CaseResult>();
        for (const cell of row.byVersion.get(from) ?? []) for (const result of cell.results) before.set(caseKeyWithoutVersion(result), result);
        const changes: BehaviourChange[] = [];
        const chance: BehaviourChange[] = [];
        for (const cell of row.byVersion.get(to) ?? []) {
          for (const result of cell.results) {
            const old = before.get(caseKeyWithoutVersion(result));
            if (!old || old.outcome === 'skipped' || result.outcome === 'skipped') continue;
            if (interoperates(old.outcome) !== interoperates(result.outcome)) {
              const change = { case: result.coordinates.case, cellId: result.cellId, title: result.title, before: old.outcome, after: result.outcome };
              // One side passed although the entry matched it: only an intermittent entry lets a case do that.
              const sameEntry = old.knownFailure !== undefined && old.knownFailure.id === result.knownFailure?.id;
              (sameEntry ? chance : changes).push(change);
            }
          }
        }
        return { from, to, changes, chance };
      });
      return { label: rowAxes.map((axis) => row.axes[axis]).join(' · '), axes: row.axes, entries, steps };
    });
    grids.push({ family, peer, versions, rowAxes, rows: gridRows });
  }
  return grids;
}

/** The version a result ran against, when the run has the axis. */
export function versionOf(result: CaseResult): string | undefined {
  return axisValue(result.coordinates, 'version');
}
