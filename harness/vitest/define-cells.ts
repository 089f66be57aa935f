// Turns cells and cases into vitest suites: one describe per cell (named with every axis), one test
// per case. Both directions share this one code path:
//   ts-client: a peer server container per cell; our client runs each case against it.
//   ts-server: our server per cell; the peer client container runs the cell's cases once and
//              reports TAP; each test then checks its own case's line (and what our server saw).
import { afterAll, beforeAll, describe, inject, it, type TestContext } from 'vitest';
import type { CaseCoordinates, Cell } from '../matrix/axes.ts';
import { cellTitle } from '../matrix/naming.ts';
import { knownFailureFor, loadKnownFailures } from '../matrix/known-failures.ts';
import { runClient, startServer, type RunningServer } from '../docker/containers.ts';
import type { PeerDescriptor } from '../docker/peers.ts';
import { freePort, LOOPBACK } from '../net/ports.ts';
import { caseWindows, parseTap, type TapResult } from '../tap/parse.ts';
import { globRegExp } from '../matrix/glob.ts';
// [wire] per-case byte recording (dumps on failure, for every case with --trace) and fault injection.
import { ServerWireLog, WireTrace, type ConnectionRecorders, type WireRecorder } from '../../impls/wire/recorder.ts';
import { clientDumps, DUMP_BYTES, faultDumps, serverDumps } from '../wire/dumps.ts';
import { startFaultProxy } from '../wire/fault-proxy.ts';
// [results] meta for the results reporter, timeouts, known-flaky retries, saved TAP and peer logs.
import type { ConformanceMeta } from '../results/case-meta.ts';
import { runCase } from '../results/case-runner.ts';
import { peerLogPath, savePeerLog, saveTap } from '../results/cell-artifacts.ts';
import { DEFAULT_FLAKY_RETRIES, knownFlakyFor, loadKnownFlaky } from '../results/known-flaky.ts';
import type { PeerRun, WireDump } from '../results/model.ts';
import { caseTimeoutMs, cellTimeoutSeconds, injectFaultGlob, keepContainers, traceWire } from '../results/run-options.ts';
import { tapSkipReason } from '../results/tap-skip.ts';

export interface ConformanceCase {
  readonly id: string;
}

export interface TsServer {
  readonly port: number;
  /** Problems our server saw while handling a case (e.g. a request value that differs from the case). */
  problemsFor(caseId: string): readonly string[];
  close(): Promise<void>;
}

export interface CellDriver<C extends ConformanceCase> {
  /** The cases that run in this cell (already filtered by direction and capability). */
  cases(cell: Cell): readonly C[];
  /**
   * Runs one case with our client against a server listening on the port; throws on a mismatch.
   * Every transport the case opens is given the recorder (the case's wire dump).
   */
  runClientCase(cell: Cell, port: number, testCase: C, recorder: WireRecorder): Promise<void>;
  /** Starts our server for the cell on the port, recording every connection with the recorders. */
  startServer(cell: Cell, port: number, recorders: ConnectionRecorders): Promise<TsServer>;
}

export interface CellSuiteOptions<C extends ConformanceCase> {
  readonly cells: readonly Cell[];
  readonly driver: CellDriver<C>;
  readonly peerFor: (cell: Cell) => PeerDescriptor;
  /** Why there may be no cells (said in the one skipped test that stands in for them). */
  readonly emptyReason?: string;
  /** Seconds a peer client may take for a whole cell. */
  readonly clientTimeoutSeconds?: number;
}

/** The uniform command line every peer understands after "server" or "client". */
export function peerArguments(cell: Cell, port: number): string[] {
  return ['--transport', cell.transport, '--protocol', cell.protocol, '--server-kind', cell.serverKind,
    '--host', LOOPBACK, '--port', String(port)];
}

function caseGlob(): RegExp | undefined {
  const glob = process.env['CONFORMANCE_CASE'];
  return glob ? globRegExp(glob) : undefined;
}

/** Error plus the wire dumps, in the shape failure-detail.ts reads (kept on expected failures too). */
function withWire(error: unknown, wire: readonly WireDump[]): unknown {
  if (wire.length > 0 && error instanceof Error) Object.assign(error, { wire });
  return error;
}

export function defineCellSuites<C extends ConformanceCase>(options: CellSuiteOptions<C>): void {
  const context = inject('conformance');
  const knownFailures = loadKnownFailures();
  const glob = caseGlob();
  const knownFlaky = loadKnownFlaky();
  const timeoutMs = caseTimeoutMs();
  const tracing = traceWire();
  const faultGlob = injectFaultGlob();
  const faulty = faultGlob ? globRegExp(faultGlob) : undefined;
  const clientSeconds = options.clientTimeoutSeconds ?? cellTimeoutSeconds();
  if (options.cells.length === 0) {
    // Said out loud rather than an empty file: the peer or the filter leaves no cell here.
    it.skip(`no cells: ${options.emptyReason ?? 'the filter or the declared capabilities leave none in this file'}`, () => undefined);
  }
  let defined = 0;
  for (const cell of options.cells) {
    const peer = options.peerFor(cell);
    const cases = options.driver.cases(cell).filter((c) => !glob || glob.test(c.id));
    if (cases.length === 0) continue;
    defined += 1;
    describe.skipIf(!context.docker)(cellTitle(cell), () => {
      const image = (): string => {
        const tag = context.images[peer.folder];
        if (!tag) throw new Error(`no image was built for peer ${peer.folder} in this run`);
        return tag;
      };
      const state: {
        server?: RunningServer; ours?: TsServer; port: number; tap?: Map<string, TapResult>; clientOutput: string;
        tapPath?: string; peerRun?: PeerRun; tapText?: string; serverWire?: ServerWireLog;
        windows?: Map<string, { from: number; to: number }>;
      } = { port: 0, clientOutput: '' };

      beforeAll(async () => {
        state.port = await freePort();
        if (cell.direction === 'ts-client') {
          state.server = await startServer({
            image: image(), peer: peer.folder, port: state.port, startupSeconds: peer.startupSeconds,
            args: peerArguments(cell, state.port),
          });
          state.peerRun = { image: image(), role: 'server', args: ['server', ...peerArguments(cell, state.port)], containerId: state.server.id };
        } else {
          state.serverWire = new ServerWireLog();
          state.ours = await options.driver.startServer(cell, state.port, state.serverWire);
          const clientArgs = [...peerArguments(cell, state.port), '--cases', cases.map((c) => c.id).join(',')];
          state.peerRun = { image: image(), role: 'client', args: ['client', ...clientArgs] };
          const run = await runClient({ image: image(), peer: peer.folder, timeoutSeconds: clientSeconds, args: clientArgs });
          state.tapPath = saveTap(cell, run.stdout);
          state.tapText = run.stdout;
          state.tap = parseTap(run.stdout);
          state.windows = caseWindows(run.stdout);
          state.clientOutput = `exit code ${run.exitCode}\n--- peer client stderr (tail) ---\n${tail(run.stderr, 40)}`;
        }
      }, clientSeconds * 1000 + 60_000);

      afterAll(async () => {
        if (state.server) savePeerLog(cell, await state.server.logTail(100_000).catch((e: unknown) => `log unavailable: ${String(e)}`));
        if (!keepContainers()) await state.server?.stop();
        await state.ours?.close();
      });

      for (const testCase of cases) {
        const coordinates: CaseCoordinates = { ...cell, case: testCase.id };
        const known = knownFailureFor(coordinates, knownFailures);
        const flaky = knownFlakyFor(coordinates, knownFlaky);
        const defined: ConformanceMeta = { coordinates, knownFailure: known?.id, knownFlaky: flaky?.id };
        // Meta given at definition reaches the reporter even when the case is skipped. A known
        // failure runs through runCase's inversion (not it.fails) so that an unexpected pass names
        // the stale entry and its reason; our timeout fires before vitest's.
        const testOptions = { meta: { conformance: defined }, timeout: timeoutMs + 5_000, ...(flaky ? { retry: flaky.retries ?? DEFAULT_FLAKY_RETRIES } : {}) };
        it(testCase.id, testOptions, async (ctx: TestContext) => {
          const meta: ConformanceMeta = {
            ...defined,
            logs: cell.direction === 'ts-client' ? { peer: peerLogPath(cell) } : state.tapPath ? { tap: state.tapPath } : {},
            ...(state.peerRun ? { peerRun: state.peerRun } : {}),
          };
          ctx.task.meta.conformance = meta;
          // A case the peer client cannot run is a skip with its reason, never a pass.
          const skipped = state.tapText !== undefined ? tapSkipReason(state.tapText, testCase.id) : undefined;
          if (skipped !== undefined) ctx.skip(skipped);
          await runCase({
            title: `${cellTitle(cell)} | ${testCase.id}`, timeoutMs, known, meta,
            body: async () => {
              if (cell.direction === 'ts-client') {
                const trace = new WireTrace(DUMP_BYTES);
                // An injected fault puts the breaking proxy between our client and the peer.
                const proxy = faulty?.test(testCase.id) ? await startFaultProxy(state.port, DUMP_BYTES) : undefined;
                const wire = (): WireDump[] => [...clientDumps(trace, cell.server), ...(proxy ? faultDumps(proxy.trace, proxy.faults, cell.server) : [])];
                try {
                  await options.driver.runClientCase(cell, proxy?.port ?? state.port, testCase, trace);
                } catch (error) {
                  throw withWire(await withPeerLog(error, state.server), wire());
                } finally {
                  await proxy?.close();
                  if (tracing) meta.wire = wire();
                }
              } else {
                const window = state.windows?.get(testCase.id);
                const wire = (): WireDump[] => (window && state.serverWire ? serverDumps(state.serverWire.between(window.from, window.to), cell.client) : []);
                if (tracing) meta.wire = wire();
                const line = state.tap?.get(testCase.id);
                if (!line) throw new Error(`peer client reported nothing for ${testCase.id}\n${state.clientOutput}`);
                const problems = state.ours?.problemsFor(testCase.id) ?? [];
                if (!line.ok || problems.length > 0) {
                  throw withWire(new Error([
                    line.ok ? 'peer client: ok' : `peer client: not ok\n${line.diagnostic}`,
                    ...problems.map((p) => `our server: ${p}`),
                    state.clientOutput,
                  ].join('\n')), wire());
                }
              }
            },
          });
        });
      }
    });
  }
  if (options.cells.length > 0 && defined === 0) {
    // A file without tests is an error in vitest; say instead that the case glob left nothing here.
    it.skip(`no cases: the case glob ${process.env['CONFORMANCE_CASE'] ?? ''} matches none in this file's ${options.cells.length} cell(s)`, () => undefined);
  }
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

async function withPeerLog(error: unknown, server: RunningServer | undefined): Promise<Error> {
  const base = error instanceof Error ? error : new Error(String(error));
  if (server) base.message += `\n--- peer server log (tail) ---\n${await server.logTail(40)}`;
  return base;
}

declare module 'vitest' {
  interface TaskMeta {
    // [results] the fields beyond coordinates and knownFailure are optional (see harness/results/case-meta.ts).
    conformance?: ConformanceMeta;
  }
}
