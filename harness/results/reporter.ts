// The vitest reporter that builds the results model. Registered in vitest.config.ts beside
// 'default'; at the end of every run that includes the conformance project -- passed, failed or
// interrupted -- it writes reports/results.json and the unit tests' JUnit (junit/unit.xml), renders
// every report from results.json, prints the known-failure gate's verdict and makes the run fail
// when the gate does.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { loadKnownFailures } from '../matrix/known-failures.ts';
import { filterFromEnv } from '../matrix/cells.ts';
import { renderAll } from '../reports/render.ts';
import { renderUnitJunit, UNIT_JUNIT, unitFiles } from '../reports/unit-junit.ts';
import type { ConformanceMeta } from './case-meta.ts';
import { classify, type ClassifyContext } from './classify.ts';
import { reportsDir, resultsFile, writeResults } from './files.ts';
import { judge, unmatchedEntries } from './gate.ts';
import { gitRevision } from './git-revision.ts';
import { loadKnownFlaky } from './known-flaky.ts';
import { injectFaultGlob, traceWire } from './run-options.ts';
import { FAILING_OUTCOMES, RESULTS_SCHEMA_VERSION, type CaseResult, type RunResults } from './model.ts';
import { loadImplementations, loadReferencePeers, versioned } from './references.ts';

export const CONFORMANCE_PROJECT = 'conformance';

function errorLine(error: { message?: unknown; name?: unknown; stack?: unknown }): string {
  return String(error.message ?? error.name ?? error.stack ?? 'unknown error');
}

export interface ResultsReporterOptions {
  /** Defaults: suites/known-failures.json and suites/known-flaky.json (tests point these at fixtures). */
  readonly knownFailuresFile?: string;
  readonly knownFlakyFile?: string;
}

export class ConformanceResultsReporter implements Reporter {
  private readonly options: ResultsReporterOptions;
  private vitest: Vitest | undefined;
  private startedAt = new Date();
  private narrowedByFiles = false;

  constructor(options: ResultsReporterOptions = {}) {
    this.options = options;
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.startedAt = new Date();
  }

  async onTestRunStart(specifications: ReadonlyArray<TestSpecification>): Promise<void> {
    this.startedAt = new Date();
    const project = this.conformanceProject();
    if (!project) return;
    // Raw evidence is per run: TAP and peer logs of an earlier run must not sit beside this one's.
    for (const folder of ['tap', 'logs']) rmSync(join(reportsDir(), folder), { recursive: true, force: true });
    // A run given only some suite files is not a full run: unmatched entries are then not stale.
    const selected = specifications.filter((s) => s.project.name === CONFORMANCE_PROJECT).length;
    const all = (await project.globTestFiles()).testFiles.length;
    this.narrowedByFiles = selected < all;
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: 'passed' | 'failed' | 'interrupted',
  ): Promise<void> {
    const project = this.conformanceProject();
    if (!project) return; // e.g. `vitest run --project unit`: leave the last matrix alone.
    const results = this.build(testModules.filter((m) => m.project.name === CONFORMANCE_PROJECT), unhandledErrors, reason);
    const path = resultsFile();
    writeResults(results, path);
    // Through vitest's logger, so the lines go where the run's output goes.
    const log = (line: string): void => {
      if (this.vitest) this.vitest.logger.error(`conformance: ${line}`);
      else process.stderr.write(`conformance: ${line}\n`);
    };
    try {
      this.writeUnitJunit(testModules, results.run);
      const written = await renderAll(reportsDir());
      log(`${results.results.length} case result(s) -> ${path}; rendered ${written.length} report file(s)`);
    } catch (error) {
      log(`rendering the reports failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
    if (!results.gate.ok) {
      const shown = results.gate.problems.slice(0, 100); // all of them are in results.json and matrix.html
      for (const problem of shown) log(problem);
      if (results.gate.problems.length > shown.length) log(`... and ${results.gate.problems.length - shown.length} more: ${path}`);
      log(`known-failure gate: FAILED (${results.gate.problems.length} problem(s))`);
      process.exitCode = 1;
    }
  }

  /** reports/junit/unit.xml for this run's unit tests; removed when the run had none (npm test -- suites/...). */
  private writeUnitJunit(testModules: ReadonlyArray<TestModule>, run: RunResults['run']): void {
    const path = join(reportsDir(), UNIT_JUNIT);
    const files = unitFiles(testModules);
    if (files.length === 0) {
      rmSync(path, { force: true });
      return;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderUnitJunit(files, run));
  }

  private conformanceProject(): ReturnType<Vitest['getProjectByName']> | undefined {
    return this.vitest?.projects.find((p) => p.name === CONFORMANCE_PROJECT);
  }

  private build(modules: readonly TestModule[], unhandled: ReadonlyArray<SerializedError>, reason: RunResults['run']['vitestState']): RunResults {
    const knownFailures = loadKnownFailures(this.options.knownFailuresFile);
    const knownFlaky = loadKnownFlaky(this.options.knownFlakyFile);
    const provided = this.conformanceProject()?.getProvidedContext().conformance;
    const context: ClassifyContext = {
      knownFailures: new Map(knownFailures.map((e) => [e.id, e])),
      knownFlaky: new Map(knownFlaky.map((e) => [e.id, e])),
      ...(provided && !provided.docker ? { runSkipReason: provided.skipReason } : {}),
    };
    const results: CaseResult[] = [];
    const unhandledErrors = unhandled.map(errorLine);
    for (const module of modules) {
      for (const error of module.errors()) unhandledErrors.push(`${module.relativeModuleId}: ${errorLine(error)}`);
      for (const test of module.children.allTests()) {
        const result = this.caseResult(test, context);
        if (result) results.push(result);
      }
    }
    const filter = filterFromEnv();
    const caseGlob = process.env['CONFORMANCE_CASE'] || undefined;
    const full = Object.keys(filter).length === 0 && !caseGlob && !this.vitest?.config.testNamePattern && !this.narrowedByFiles;
    // Entries only go stale for lack of a match when every case had its chance to match: not in a
    // filtered run, an interrupted one, or one where something outside the cases broke.
    const stale = full && reason !== 'interrupted' && unhandledErrors.length === 0 && results.length > 0
      ? unmatchedEntries(results, knownFailures, knownFlaky) : [];
    // A global setup that throws (e.g. a peer image that does not build) reaches no reporter hook
    // as an error; vitest's verdict is then the only trace of it, and it must not read as a pass.
    if (reason !== 'passed' && !results.some((r) => FAILING_OUTCOMES.has(r.outcome)) && unhandledErrors.length === 0) {
      unhandledErrors.push(reason === 'interrupted'
        ? 'the run was interrupted before every case finished'
        : 'vitest failed the run but no conformance case failed: a unit test, the global setup (e.g. a peer image that did not build) or a suite file that did not load; see the run log');
    }
    const finishedAt = new Date();
    const git = gitRevision();
    return {
      schema: RESULTS_SCHEMA_VERSION,
      run: {
        startedAt: this.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - this.startedAt.getTime(),
        gitRevision: git.revision,
        gitDirty: git.dirty,
        node: process.version,
        ci: process.env['CI'] === 'true',
        full,
        filter,
        ...(caseGlob ? { caseGlob } : {}),
        ...(traceWire() ? { trace: true } : {}),
        ...(injectFaultGlob() ? { injectFault: injectFaultGlob() } : {}),
        vitestState: reason,
        ...(context.runSkipReason ? { skipReason: context.runSkipReason } : {}),
      },
      references: versioned(loadReferencePeers()),
      implementations: versioned(loadImplementations()),
      results,
      staleEntries: stale,
      unhandledErrors,
      gate: judge(results, stale, unhandledErrors),
    };
  }

  private caseResult(test: TestCase, context: ClassifyContext): CaseResult | undefined {
    const meta = test.meta().conformance as ConformanceMeta | undefined;
    if (!meta) return undefined;
    const result = test.result();
    const diagnostic = test.diagnostic();
    const parentErrors = test.parent.type === 'suite' ? test.parent.errors() : [];
    return classify({
      meta,
      state: result.state,
      errors: result.errors ?? [],
      ...(result.state === 'skipped' && result.note ? { skipNote: result.note } : {}),
      suiteErrors: parentErrors,
      durationMs: diagnostic?.duration ?? 0,
      attempts: (diagnostic?.retryCount ?? 0) + 1,
    }, context);
  }
}

export default ConformanceResultsReporter;
