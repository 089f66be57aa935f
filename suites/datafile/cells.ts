// The data-file matrix as cells and cases, selected by the common axis filter (CONFORMANCE_FILTER,
// the CLI's --family/--peer/--direction/...) and case glob, like every other family. Used by
// datafile.test.ts to define its tests and by the CLI's `list` (harness/cli/catalogue.ts).
import type { CaseCoordinates, Cell } from '../../harness/matrix/axes.ts';
import { matchesFilter, type CellFilter } from '../../harness/matrix/cells.ts';
import { BAD_FILES, type BadFile } from './bad-files.ts';
import { BAD_SET, CODECS, coordinates, OURS, PEER_FOLDERS } from './plan.ts';
import type { ReadCase, SchemaFile } from './sets.ts';

export type DatafileCase =
  | { readonly kind: 'read'; readonly coordinates: CaseCoordinates; readonly file: SchemaFile; readonly read: ReadCase }
  | { readonly kind: 'bad-file'; readonly coordinates: CaseCoordinates; readonly bad: BadFile };

export interface DatafileCell {
  readonly cell: Cell;
  readonly writer: string;
  readonly reader: string;
  readonly codec: string;
  readonly cases: readonly DatafileCase[];
}

/** Every participant the matrix knows: ours and each reference peer with a data-file role. */
export const ALL_PARTICIPANTS: readonly string[] = [OURS, ...Object.keys(PEER_FOLDERS)];

function cellOf(c: CaseCoordinates): Cell {
  const { case: _case, ...cell } = c;
  return cell;
}

/**
 * The cells among these participants that the filter selects, each with the cases the case test
 * accepts; cells left without a case are dropped. Writer x reader x codec x schema set, then the
 * bad files (written by ours) against every reader.
 */
export function datafileCells(participants: readonly string[], files: readonly SchemaFile[], filter: CellFilter = {},
  caseMatches: (id: string) => boolean = () => true): DatafileCell[] {
  const cells: DatafileCell[] = [];
  const add = (writer: string, reader: string, codec: string, set: string, cases: DatafileCase[]): void => {
    const cell = cellOf(coordinates(writer, reader, codec, set, ''));
    if (!matchesFilter(cell, filter)) return;
    const selected = cases.filter((c) => caseMatches(c.coordinates.case));
    if (selected.length > 0) cells.push({ cell, writer, reader, codec, cases: selected });
  };
  const sets = [...new Set(files.map((f) => f.set))];
  for (const writer of participants) {
    for (const reader of participants) {
      for (const codec of CODECS) {
        for (const set of sets) {
          add(writer, reader, codec, set, files.filter((f) => f.set === set).flatMap((file) => file.reads.map((read): DatafileCase => (
            { kind: 'read', coordinates: coordinates(writer, reader, codec, set, read.id), file, read }))));
        }
      }
    }
  }
  if (participants.includes(OURS)) {
    for (const reader of participants) {
      for (const codec of CODECS) {
        add(OURS, reader, codec, BAD_SET, BAD_FILES.map((bad): DatafileCase => (
          { kind: 'bad-file', coordinates: coordinates(OURS, reader, codec, BAD_SET, bad.id), bad })));
      }
    }
  }
  return cells;
}

/** The reference participants the cells need: every writer and reader other than ours. */
export function referenceParticipantsOf(cells: readonly DatafileCell[]): string[] {
  return [...new Set(cells.flatMap((c) => [c.writer, c.reader]))].filter((p) => p !== OURS);
}
