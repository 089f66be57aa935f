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
import { renderAll } from '../reports/render.ts';
import { renderUnitJunit, UNIT_JUNIT, unitFiles } from '../reports/unit-junit.ts';
import { assembleRun, journalCase, removeJournal } from './assemble.ts';
import type { ConformanceMeta } from './case-meta.ts';
import { classify, type ClassifyContext } from './classify.ts';
import type { SerializedErrorLike } from './failure-detail.ts';
import { reportsDir, resultsFile, retireResults, writeResults } from './files.ts';
import { loadKnownFlaky } from './known-flaky.ts';
import type { CaseResult, RunResults } from './model.ts';
import { RUN_DIR_ENV } from '../run/run-dir.ts';
import { type ClockReading, clockStepLine, readClocks, recordPhase, timeByCase } from './timings.ts';

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
  private clocksAtStart: ClockReading = readClocks();
  private narrowedByFiles = false;
  private context: ClassifyContext | undefined;

  constructor(options: ResultsReporterOptions = {}) {
    this.options = options;
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.startedAt = new Date();
  }

  async onTestRunStart(specifications: ReadonlyArray<TestSpecification>): Promise<void> {
    this.startedAt = new Date();
    this.clocksAtStart = readClocks();
    const project = this.conformanceProject();
    if (!project) return;
    // Raw evidence is per run: TAP and peer logs of an earlier run must not sit beside this one's,
    // nor its verdict (kept as previous-results.json, the default baseline).
    // Not when merging shards: their TAP and logs are this run's evidence.
    if (!this.merging()) for (const folder of ['tap', 'logs']) rmSync(join(reportsDir(), folder), { recursive: true, force: true });
    if (!process.env['CONFORMANCE_SHARD']) retireResults();
    // A run given only some suite files is not a full run: unmatched entries are then not stale.
    const selected = specifications.filter((s) => s.project.name === CONFORMANCE_PROJECT).length;
    const all = (await project.globTestFiles()).testFiles.length;
    this.narrowedByFiles = selected < all;
  }

  /** Each case as it finishes, into the run's journal: an interrupted run still has it. */
  onTestCaseResult(test: TestCase): void {
    const result = this.caseResult(test);
    if (result) journalCase(this.runId(), result);
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: 'passed' | 'failed' | 'interrupted',
  ): Promise<void> {
    const project = this.conformanceProject();
    if (!project && !this.merging()) return; // e.g. `vitest run --project unit`: leave the last matrix alone.
    const started = Date.now();
    const modules = testModules.filter((m) => m.project.name === CONFORMANCE_PROJECT);
    const errors = unhandledErrors.map(errorLine);
    const results: CaseResult[] = [];
    for (const module of modules) {
      for (const error of module.errors()) errors.push(`${module.relativeModuleId}: ${errorLine(error)}`);
      for (const test of module.children.allTests()) {
        const result = this.caseResult(test);
        if (result) results.push(result);
      }
    }
    const provided = this.providedContext();
    // results.json can only hold what reporting took before it is written (collecting the cases);
    // the line printed at the end has the whole of it, rendering included.
    recordPhase('reporting', Date.now() - started);
    const run = await assembleRun({
      runId: this.runId(), startedAt: this.startedAt, results, unhandledErrors: errors, state: reason,
      narrowed: this.narrowedByFiles || Boolean(this.vitest?.config.testNamePattern),
      skipReason: provided && !provided.docker ? provided.skipReason : undefined,
      knownFailuresFile: this.options.knownFailuresFile, knownFlakyFile: this.options.knownFlakyFile,
      runDir: provided?.runDir ?? process.env[RUN_DIR_ENV],
    });
    const path = resultsFile();
    writeResults(run, path);
    removeJournal(this.runId());
    // Through vitest's logger, so the lines go where the run's output goes.
    const log = (line: string): void => {
      if (this.vitest) this.vitest.logger.error(`conformance: ${line}`);
      else process.stderr.write(`conformance: ${line}\n`);
    };
    try {
      this.writeUnitJunit(testModules, run.run);
      const written = await renderAll(reportsDir());
      log(`${run.results.length} case result(s) -> ${path}; rendered ${written.length} report file(s)`);
    } catch (error) {
      log(`rendering the reports failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
    log(breakdown(run, Date.now() - started));
    log(timeByCase(run.results));
    const step = clockStepLine(this.clocksAtStart, readClocks());
    if (step) log(step);
    if (!run.gate.ok) {
      const shown = run.gate.problems.slice(0, 100); // all of them are in results.json and matrix.html
      for (const problem of shown) log(problem);
      if (run.gate.problems.length > shown.length) log(`... and ${run.gate.problems.length - shown.length} more: ${path}`);
      log(`known-failure gate: FAILED (${run.gate.problems.length} problem(s))`);
      process.exitCode = 1;
    } else {
      log(`known-failure gate: passed (${run.results.length} case results)`);
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

  private runId(): string {
    return this.providedContext()?.runId ?? process.env['CONFORMANCE_RUN_ID'] ?? `run-${this.startedAt.getTime()}`;
  }

  private merging(): boolean {
    return Boolean(this.vitest?.config.mergeReports);
  }

  private providedContext(): { docker: boolean; skipReason: string; runId: string; runDir: string } | undefined {
    try {
      return this.conformanceProject()?.getProvidedContext().conformance;
    } catch {
      return undefined; // merging blob reports: no global setup ran, nothing was provided
    }
  }

  private conformanceProject(): ReturnType<Vitest['getProjectByName']> | undefined {
    return this.vitest?.projects.find((p) => p.name === CONFORMANCE_PROJECT);
  }

  private classifyContext(): ClassifyContext {
    if (!this.context) {
      const provided = this.providedContext();
      this.context = {
        knownFailures: new Map(loadKnownFailures(this.options.knownFailuresFile).map((e) => [e.id, e])),
        knownFlaky: new Map(loadKnownFlaky(this.options.knownFlakyFile).map((e) => [e.id, e])),
        ...(provided && !provided.docker ? { runSkipReason: provided.skipReason } : {}),
      };
    }
    return this.context;
  }

  private caseResult(test: TestCase): CaseResult | undefined {
    const meta = test.meta().conformance as ConformanceMeta | undefined;
    if (!meta) return undefined;
    const result = test.result();
    const diagnostic = test.diagnostic();
    return classify({
      meta,
      state: result.state,
      errors: result.errors ?? [],
      ...(result.state === 'skipped' && result.note ? { skipNote: result.note } : {}),
      suiteErrors: ancestorErrors(test),
      // A ts-server case's own span; its test also waited for the whole peer client plan.
      durationMs: meta.durationMs ?? diagnostic?.duration ?? 0,
      attempts: (diagnostic?.retryCount ?? 0) + 1,
    }, this.classifyContext());
  }
}

/** Errors of every suite around a test: a failed beforeAll of a cell or of its slice. */
function ancestorErrors(test: TestCase): SerializedErrorLike[] {
  const errors: SerializedErrorLike[] = [];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) errors.push(...parent.errors());
  return errors;
}

function seconds(ms: number | undefined): string {
  return `${((ms ?? 0) / 1000).toFixed(1)} s`;
}

/** One line: where the run's time went. */
export function breakdown(run: RunResults, reportingMs = run.run.timing?.reportingMs): string {
  const t = run.run.timing;
  if (!t) return 'time: (no breakdown)';
  return `time: ${seconds(t.wallMs)} wall${t.longestShardWallMs !== undefined ? ' (the merge alone)' : ''}; image builds ${seconds(t.imageBuildsMs)}, peer server containers ${seconds(t.containerStartsMs)}, ` +
    `our servers ${seconds(t.serverStartsMs)}, peer client runs ${seconds(t.peerClientRunsMs)}, cases ${seconds(t.casesMs)} (each case's own time, summed), reporting ${seconds(reportingMs)}` +
    (t.longestShardWallMs !== undefined ? `; merged shards: longest ${seconds(t.longestShardWallMs)} wall, ${seconds(t.shardsWallMs)} together` : '');
}

export default ConformanceResultsReporter;
