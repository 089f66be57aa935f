// The vitest reporter the CLI's `run` uses instead of vitest's default: one redrawn status line on a
// TTY (cells done/total, cases, failures, elapsed), plain lines in CI; each failure printed as it
// happens, each finished cell summarized.
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { ConformanceMeta } from '../results/case-meta.ts';
import { cellTitle } from '../matrix/naming.ts';
import { cellId } from '../results/cell-id.ts';
import { ProgressTracker, type CaseVerdict } from './progress.ts';

function conformanceMeta(test: TestCase): ConformanceMeta | undefined {
  return test.meta().conformance as ConformanceMeta | undefined;
}

/** The error of the cell's setup, when it failed (vitest then marks the cell's cases skipped). */
function setupError(test: TestCase): string | undefined {
  const error = test.parent.type === 'suite' ? test.parent.errors()[0] : undefined;
  return error ? String(error.message ?? 'failed').split('\n')[0] : undefined;
}

function verdictOf(test: TestCase, meta: ConformanceMeta): CaseVerdict {
  const state = test.result().state;
  if (state === 'failed') return 'failed';
  if (state === 'passed') return meta.knownFailure ? 'expected-failure' : 'passed';
  // As in the results model (classify.ts): a case whose cell setup failed did not pass by skipping.
  if (setupError(test) !== undefined) return meta.knownFailure ? 'expected-failure' : 'failed';
  return 'skipped';
}

export class ProgressReporter implements Reporter {
  private readonly tracker = new ProgressTracker();
  private readonly seen = new Set<string>();
  private readonly setupReported = new Set<string>();
  private readonly tty: boolean;
  private readonly out: NodeJS.WriteStream;
  private timer: NodeJS.Timeout | undefined;

  /** vitest constructs a reporter given by path with its options object: only a stream is taken as output. */
  constructor(out?: unknown) {
    this.out = out && typeof (out as NodeJS.WriteStream).write === 'function' ? out as NodeJS.WriteStream : process.stdout;
    this.tty = this.out.isTTY === true && process.env['CI'] !== 'true';
  }

  onTestRunStart(): void {
    if (this.tty) this.timer = setInterval(() => this.redraw(), 1000);
  }

  onTestModuleCollected(module: TestModule): void {
    const perCell = new Map<string, { title: string; count: number }>();
    for (const test of module.children.allTests()) {
      const meta = conformanceMeta(test);
      if (!meta) continue;
      const id = cellId(meta.coordinates);
      const entry = perCell.get(id) ?? { title: `${meta.coordinates.direction} | ${cellTitle(meta.coordinates)}`, count: 0 };
      entry.count += 1;
      perCell.set(id, entry);
    }
    for (const [id, { title, count }] of perCell) this.tracker.addCell(id, title, count);
    this.redraw();
  }

  onTestCaseResult(test: TestCase): void {
    this.record(test);
  }

  onTestModuleEnd(module: TestModule): void {
    // Tests skipped as a whole block may never get their own result event.
    for (const test of module.children.allTests()) this.record(test);
  }

  onTestRunEnd(): void {
    if (this.timer) clearInterval(this.timer);
    this.print(`done: ${this.tracker.statusLine()}`);
  }

  private record(test: TestCase): void {
    const meta = conformanceMeta(test);
    if (!meta || this.seen.has(test.id) || test.result().state === 'pending') return;
    this.seen.add(test.id);
    const verdict = verdictOf(test, meta);
    const id = cellId(meta.coordinates);
    const setup = setupError(test);
    if (verdict === 'failed' && setup === undefined) {
      const first = String(test.result().errors?.[0]?.message ?? 'failed').split('\n')[0];
      this.print(`  ✗ ${meta.coordinates.direction} | ${cellTitle(meta.coordinates)} | ${meta.coordinates.case}: ${first}`);
    } else if (setup !== undefined && !this.setupReported.has(id)) {
      this.setupReported.add(id); // once per cell, not once per case
      this.print(`  ✗ ${meta.coordinates.direction} | ${cellTitle(meta.coordinates)}: cell setup failed: ${setup}`);
    }
    const line = this.tracker.caseDone(id, verdict);
    if (line) this.print(line);
    this.redraw();
  }

  private print(line: string): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${line}\n`);
    this.redraw();
  }

  private redraw(): void {
    if (this.tty) this.out.write(`\r\x1b[2K${this.tracker.statusLine()}`);
  }
}

export default ProgressReporter;
