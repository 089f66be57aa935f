// Progress of a run: cells done / total, cases done, failures, elapsed. On a TTY one status line is
// redrawn in place; elsewhere (CI logs) a plain line is printed when a cell finishes.
export type CaseVerdict = 'passed' | 'failed' | 'expected-failure' | 'skipped';

interface CellProgress {
  readonly title: string;
  readonly total: number;
  done: number;
  readonly verdicts: Record<CaseVerdict, number>;
  readonly startedAt: number;
}

export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ProgressTracker {
  private readonly cells = new Map<string, CellProgress>();
  private casesDone = 0;
  private failures = 0;
  private readonly startedAt: number;
  private readonly now: () => number;

  // Durations only: the monotonic clock, which a step of the real-time clock does not move.
  constructor(now: () => number = () => performance.now()) {
    this.now = now;
    this.startedAt = now();
  }

  /** Declares a cell and how many cases it has (from the collected tests). */
  addCell(id: string, title: string, cases: number): void {
    const known = this.cells.get(id);
    if (known) return;
    this.cells.set(id, { title, total: cases, done: 0, verdicts: { passed: 0, failed: 0, 'expected-failure': 0, skipped: 0 }, startedAt: this.now() });
  }

  /** Records one case; returns a line describing the cell when this case completed it. */
  caseDone(id: string, verdict: CaseVerdict): string | undefined {
    const cell = this.cells.get(id);
    this.casesDone += 1;
    if (verdict === 'failed') this.failures += 1;
    if (!cell) return undefined;
    cell.done += 1;
    cell.verdicts[verdict] += 1;
    if (cell.done !== cell.total) return undefined;
    const v = cell.verdicts;
    const parts = [`${v.passed} passed`];
    if (v['expected-failure']) parts.push(`${v['expected-failure']} expected failure(s)`);
    if (v.failed) parts.push(`${v.failed} FAILED`);
    if (v.skipped) parts.push(`${v.skipped} skipped`);
    return `[${this.cellsDone()}/${this.cells.size} cells] ${cell.title}: ${parts.join(', ')} (${elapsed(this.now() - cell.startedAt)})`;
  }

  cellsDone(): number {
    return [...this.cells.values()].filter((c) => c.done === c.total).length;
  }

  statusLine(): string {
    const cases = [...this.cells.values()].reduce((sum, c) => sum + c.total, 0);
    return `cells ${this.cellsDone()}/${this.cells.size} · cases ${this.casesDone}/${cases} · failures ${this.failures} · ${elapsed(this.now() - this.startedAt)}`;
  }
}
