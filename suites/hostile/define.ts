// Shared by the hostile suite files: one describe per cell (named with every axis), one test per
// case carrying meta.conformance (coordinates, known failure, what it measured), run through the
// case runner's timeout and known-failure inversion, as every family's tests are.
import { describe, it, type TestContext } from 'vitest';
import { filterFromEnv } from '../../harness/matrix/cells.ts';
import { globRegExp } from '../../harness/matrix/glob.ts';
import { entriesForCell, knownFailureFor, loadKnownFailures } from '../../harness/matrix/known-failures.ts';
import { cellTitle } from '../../harness/matrix/naming.ts';
import type { ConformanceMeta } from '../../harness/results/case-meta.ts';
import { runCase } from '../../harness/results/case-runner.ts';
import { caseTimeoutMs, ENV } from '../../harness/results/run-options.ts';
import type { PeerRelease } from '../../harness/docker/peers.ts';
import { hostileCells, type HostileCell, type PlannedCase } from './cells.ts';
import type { Figures } from './judge.ts';

/** The selected cells of one direction, as the run's filter and case glob leave them. */
export function selectedCells(direction: 'ts-server' | 'ts-client' | 'references', releases: readonly PeerRelease[] = []): HostileCell[] {
  const glob = process.env[ENV.caseGlob];
  const caseRegExp = glob ? globRegExp(glob) : undefined;
  return hostileCells(releases, { filter: filterFromEnv(), caseMatches: (id) => !caseRegExp || caseRegExp.test(id) })
    .filter((c) => c.cell.direction === direction);
}

/** A case's body; `measured` keeps the figures in results.json, `meta` takes the rest (peer run, logs). */
export type CaseBody = (planned: PlannedCase, cell: HostileCell, measured: (figures: Figures) => void, meta: ConformanceMeta) => Promise<void>;

/** Milliseconds a case may run: the run's per-case timeout, or more when the case's own bound needs it. */
export function caseBudgetMs(boundMs: number): number {
  return Math.max(caseTimeoutMs(), boundMs * 2 + 30_000);
}

export function defineCells(cells: readonly HostileCell[], body: CaseBody, budgetOf: (planned: PlannedCase, cell: HostileCell) => number): void {
  // A file with no test is an error to vitest: a run filtered to another family (or to no hostile
  // cell of this file) says so in one skipped placeholder, as the family slices do.
  if (cells.length === 0) {
    it.skip('no hostile cell in this file: the filter or the declared capabilities leave none here', () => undefined);
    return;
  }
  const known = loadKnownFailures();
  for (const cell of cells) {
    const title = cellTitle(cell.cell);
    describe(title, () => {
      const entries = entriesForCell(cell.cell, known);
      for (const planned of cell.cases) {
        const knownFailure = knownFailureFor(planned.coordinates, entries);
        const defined: ConformanceMeta = { coordinates: planned.coordinates, knownFailure: knownFailure?.id };
        const timeoutMs = budgetOf(planned, cell);
        it(planned.testCase.id, { meta: { conformance: defined }, timeout: timeoutMs + 5_000 }, async (ctx: TestContext) => {
          const meta: ConformanceMeta = { ...defined, logs: {} };
          ctx.task.meta.conformance = meta;
          if (planned.skip !== undefined) ctx.skip(planned.skip);
          await runCase({
            title: `${title} | ${planned.testCase.id}`, timeoutMs, known: knownFailure, meta,
            body: () => body(planned, cell, (figures) => { meta.measured = figures; }, meta),
          });
        });
      }
    });
  }
}
