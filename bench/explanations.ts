// Why rows of ours stay below 1.0x the reference (bench/explanations.json): each explanation comes
// from a profile, names the groups and rows it covers, and, where the cause can be seen in the
// bench's own figures, a check that must hold in the same run. So a row is "explained" only while
// the run still shows what the profile found; a regression that leaves the floor, or a new row
// below 1.0, is reported as unexplained instead of hiding under an old note.
import { readFileSync } from 'node:fs';
import { globRegExp } from '../harness/matrix/glob.ts';
import { validated } from '../harness/schemas/validate.ts';

export interface ExplanationCheck {
  /**
   * at-raw-floor: ours reaches `atLeast` of Node's raw loopback echo of the same bytes (the row's
   * ofFloor), so what is left is the event loop's, not our code's.
   * cpu-ratio: ours makes at least `atLeast` of the reference's calls per CPU-second.
   * ratio: the row's ratio is at least `atLeast`: the profile's cause accounts for a gap that size, not more.
   */
  readonly kind: 'at-raw-floor' | 'cpu-ratio' | 'ratio';
  readonly atLeast: number;
}

export interface Explanation {
  readonly id: string;
  /** Bench group ids ('*' matches anything), e.g. thrift/framed/binary/int/1/java. */
  readonly groups: readonly string[];
  /** Row names: ours client, ours server; data-file rows are "ours". */
  readonly rows: readonly string[];
  readonly cause: string;
  /** What outside our code the cause lies in. */
  readonly outside: string;
  /** The profile notes that show it (path#anchor in this repository). */
  readonly profile: string;
  readonly check?: ExplanationCheck;
}

/** The figures of one row below 1.0 that explanations are judged on. */
export interface RowFigures {
  readonly group: string;
  readonly row: string;
  readonly median: number;
  readonly cpu?: number;
  readonly ofFloor?: number;
}

export interface Verdict {
  /** The first explanation that covers the row and holds in this run. */
  readonly explainedBy?: string;
  /** Explanations that cover the row but whose check failed in this run, with the figure. */
  readonly notHolding: readonly string[];
}

export const EXPLANATIONS_FILE = new URL('./explanations.json', import.meta.url);

export function loadExplanations(file: URL | string = EXPLANATIONS_FILE): Explanation[] {
  return validated<{ explanations: Explanation[] }>('bench-explanations', JSON.parse(readFileSync(file, 'utf8')), 'bench/explanations.json').explanations;
}

function covers(explanation: Explanation, row: RowFigures): boolean {
  return explanation.rows.includes(row.row) && explanation.groups.some((glob) => globRegExp(glob).test(row.group));
}

/** Undefined when the check holds; otherwise why it does not, with the run's figure. */
function failedCheck(check: ExplanationCheck | undefined, row: RowFigures): string | undefined {
  if (!check) return undefined;
  const figure = check.kind === 'at-raw-floor' ? row.ofFloor : check.kind === 'cpu-ratio' ? row.cpu : row.median;
  const name = check.kind === 'at-raw-floor' ? 'of the raw floor' : check.kind === 'cpu-ratio' ? 'cpu ratio' : 'ratio';
  if (figure === undefined) return `${name} not measured`;
  return figure >= check.atLeast ? undefined : `${name} ${figure.toFixed(2)} < ${check.atLeast}`;
}

export function judge(row: RowFigures, explanations: readonly Explanation[]): Verdict {
  const notHolding: string[] = [];
  for (const explanation of explanations) {
    if (!covers(explanation, row)) continue;
    const failed = failedCheck(explanation.check, row);
    if (failed === undefined) return { explainedBy: explanation.id, notHolding };
    notHolding.push(`${explanation.id}: ${failed}`);
  }
  return { notHolding };
}
