// Turns one slice of a family's plan into vitest suites: one describe per cell (named with every
// axis), one test per case. Both directions share this one code path, and peer containers are
// shared by the cells of a slice (containers/README.md, plan files):
//   ts-client: one server plan container per peer release serves every ts-client cell of the slice
//              (a listener each); the implementation's client runs each case against its listener.
//   ts-server: the implementation's servers start in a process of their own (server-host.ts), one
//              per cell; one peer client plan run per peer release drives them all and prints TAP
//              per cell; each test reads its own line, and our server adds what it saw (request
//              values that differ from the case).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, inject, it, type TestContext } from 'vitest';
import type { CaseCoordinates, Cell } from '../matrix/axes.ts';
import { filterFromEnv } from '../matrix/cells.ts';
import { cellId } from '../results/cell-id.ts';
import { runIds, type CatalogueCase, type SelectedCase } from '../matrix/case-filter.ts';
import { cellTitle } from '../matrix/naming.ts';
import { planFamily, type PlanInput, type PlannedCell } from '../matrix/plan.ts';
import { partition, sliceOf } from '../matrix/slices.ts';
import { entriesForCell, knownFailureFor, loadKnownFailures, type KnownFailure } from '../matrix/known-failures.ts';
import { loadImplementations, type LoadedImplementation } from '../contract/load.ts';
import { runClient, startServer, describeState, type ClientRun, type RunningServer } from '../docker/containers.ts';
import { ListenerLog } from '../docker/log-follower.ts';
import { lastBytes, LOG_TAIL_BYTES } from '../results/log-tail.ts';
import { peersOf, selectReleases, type PeerRelease } from '../docker/peers.ts';
import { freePort, LOOPBACK } from '../net/ports.ts';
import { planPath, socketPath } from '../run/run-dir.ts';
import { readCellTap, splitCells, type CaseWindow, type CellTap, type ReadTap, type TapResult } from '../tap/parse.ts';
// [wire] per-case byte recording (dumps on failure, for every case with --trace) and fault injection.
import { WireTrace, type ServerWireLog } from '../../impls/wire/recorder.ts';
import { clientDumps, DUMP_BYTES, faultDumps, serverDumps } from '../wire/dumps.ts';
import { startFaultProxy } from '../wire/fault-proxy.ts';
import { globRegExp } from '../matrix/glob.ts';
// [results] meta for the results reporter, timeouts, known-flaky retries, saved TAP and peer logs.
import type { ConformanceMeta } from '../results/case-meta.ts';
import { runCase } from '../results/case-runner.ts';
import { peerLogPath, savePeerLog, saveTap, tapPath } from '../results/cell-artifacts.ts';
import type { ServerLog } from './server-log.ts';
import { DEFAULT_FLAKY_RETRIES, knownFlakyFor, loadKnownFlaky } from '../results/known-flaky.ts';
import type { PeerRun, WireDump } from '../results/model.ts';
import { caseTimeoutMs, cellTimeoutSeconds, injectFaultGlob, keepContainers, traceWire, versionSelection } from '../results/run-options.ts';
import type { Endpoint, FamilyDriver } from './family-driver.ts';
import { recordPhase } from '../results/timings.ts';
import { underLimit, worstFinish } from './live-limit.ts';
import { stallNote, type Stall } from './loop-stalls.ts';
import { ServerHost, type CellReport } from './server-host.ts';

interface SliceCell<C> extends PlannedCell<C & CatalogueCase> {
  readonly adapter: LoadedImplementation;
  readonly key: string;
}

/** Per cell, filled in by the slice's beforeAll. */
interface CellState {
  endpoint?: Endpoint;
  /** ts-server: what our server saw, once the peer client plan ended. */
  ours?: CellReport;
  /** ts-server: why our servers' process gave no report (it died, say). */
  hostLost?: string;
  serverWire?: ServerWireLog;
  /** Our server's log lines (ts-server). */
  serverLog?: ServerLog;
  /** Why the cell cannot run at all (its server or the peer's listener did not start). */
  broken?: string;
  /** ts-server: the cell's TAP, read once for all its cases. */
  tap?: ReadTap;
  /** ts-server: the peer client's stderr lines of this cell, for a failing case's message. */
  clientStderr?: string;
}

/** Per peer release of the slice: its server container and its client run. */
interface ReleaseState {
  server?: RunningServer;
  serverRun?: PeerRun;
  client?: Promise<ClientRun>;
  clientRun?: PeerRun;
  /** When the peer client plan ended (epoch ms): where its last case's span ends. */
  clientEndedAt?: number;
  tapByCell?: Map<string, CellTap>;
  /** The stalls of the process that ran our servers for this release (server-host.ts). */
  hostStalls?: readonly Stall[];
}

/** Who a ts-server case's stall note is about. */
const HOST_STALLS = "the process running our servers";

// Every slice file of a family plans the whole family and keeps its own part: 1.6-3.4 s of CPU per
// file on the default run (profiled), the same plan again for each file a worker runs after its
// first (the workers keep one module graph, vitest.config.ts). So a worker plans a family once.
const plans = new Map<string, PlannedCell[]>();

function familyPlan<C extends CatalogueCase>(driver: FamilyDriver<C>, input: PlanInput): PlannedCell<C>[] {
  const key = JSON.stringify([driver.family, input.implementations, input.releases.map((r) => r.key), input.filter, input.caseGlob ?? null]);
  let planned = plans.get(key);
  if (!planned) {
    planned = planFamily(driver, input);
    plans.set(key, planned);
  }
  return planned as PlannedCell<C>[];
}

export async function defineSlice<C extends CatalogueCase>(driver: FamilyDriver<C>, moduleUrl: string): Promise<void> {
  const context = inject('conformance');
  const { index, count } = sliceOf(moduleUrl);
  const implementations = (await loadImplementations()).filter((i) => i.capabilities.family === driver.family);
  const releases = selectReleases(peersOf(driver.family), versionSelection())
    .filter((r) => context.docker ? context.images[r.key] !== undefined : true);
  const planned = familyPlan(driver, {
    implementations: implementations.map((i) => i.capabilities), releases, filter: filterFromEnv(), caseGlob: process.env['CONFORMANCE_CASE'],
  });
  const mine: SliceCell<C>[] = (partition(planned, count)[index - 1] ?? []).map((p) => ({
    ...p, adapter: implementations.find((i) => i.capabilities.id === p.implementation.id) as LoadedImplementation, key: cellId(p.cell),
  }));
  if (mine.length === 0) {
    // Said out loud rather than an empty file: the filter or the declarations leave nothing here.
    it.skip(`no cells in slice ${index} of ${count} of ${driver.family}: the filter or the declared capabilities leave none here (${planned.length} cell(s) in the family)`, () => undefined);
    return;
  }
  defineCells(driver, mine, context);
}

function defineCells<C extends CatalogueCase>(driver: FamilyDriver<C>, cells: readonly SliceCell<C>[], context: ReturnType<typeof inject<'conformance'>>): void {
  const knownFailures = loadKnownFailures();
  const knownFlaky = loadKnownFlaky();
  const timeoutMs = caseTimeoutMs();
  const tracing = traceWire();
  const faultGlob = injectFaultGlob();
  const faulty = faultGlob ? globRegExp(faultGlob) : undefined;
  const states = new Map<string, CellState>(cells.map((c) => [c.key, {}]));
  const releaseStates = new Map<string, ReleaseState>(cells.map((c) => [c.release.key, {}]));
  const releasesOf = new Map<string, PeerRelease>(cells.map((c) => [c.release.key, c.release]));

  const image = (release: PeerRelease): string => {
    const tag = context.images[release.key];
    if (!tag) throw new Error(`no image was built for ${release.key} in this run`);
    return tag;
  };

  const releaseState = (release: PeerRelease): ReleaseState => releaseStates.get(release.key) as ReleaseState;

  /**
   * Our servers for a release's ts-server cells, in a process of their own (server-host.ts), then
   * its peer client plan over them; when the plan ends, what the servers saw comes back to the
   * cells' states and the servers' process ends.
   */
  const serveAndDrive = async (release: PeerRelease, group: readonly SliceCell<C>[]): Promise<ClientRun> => {
    const rs = releaseState(release);
    const started = Date.now();
    let host: ServerHost | undefined;
    try {
      const hosted = await ServerHost.start(driver.module, group.map((c) => ({
        key: c.key, cell: c.cell, modulePath: c.adapter.modulePath, endpoint: (states.get(c.key) as CellState).endpoint as Endpoint,
        caseIds: runnable(c.cases).map((t) => t.id), keepPerChunk: DUMP_BYTES,
      })));
      host = hosted.host;
      // A server that listens elsewhere than its reserved port (it was taken meanwhile; the cell's
      // server log says so): the peer client's plan below takes the endpoint from here.
      for (const [key, port] of hosted.ports) {
        const state = states.get(key) as CellState;
        process.stderr.write(`conformance: ${key}: port ${state.endpoint?.port ?? '?'} was taken after it was reserved; our server listens on ${port}\n`);
        state.endpoint = { ...(state.endpoint as Endpoint), port };
      }
      for (const [key, reason] of hosted.failures) {
        const c = group.find((g) => g.key === key);
        (states.get(key) as CellState).broken = `${c?.cell.implementation ?? 'our'} server did not start: ${reason}`;
      }
    } catch (error) {
      for (const c of group) (states.get(c.key) as CellState).broken = `our servers' process did not start: ${error instanceof Error ? error.message : String(error)}`;
    }
    recordPhase('server-starts', Date.now() - started);
    let run: ClientRun | undefined;
    try {
      const clientCells = group.filter((c) => !states.get(c.key)?.broken);
      if (clientCells.length === 0) throw new Error(`no server of ours started for ${release.key}, so its peer client did not run`);
      const planFile = planPath(`client-${release.key}-${clientCells[0]?.key ?? ''}`.replace(/[^A-Za-z0-9._@+-]/g, '_'));
      writeFileSync(planFile, JSON.stringify({
        cells: clientCells.map((c) => ({ key: c.key, ...axesOf(c.cell), ...endpointFields(states.get(c.key)?.endpoint as Endpoint, 'client'), cases: runnable(c.cases).map((t) => t.id) })),
      }, null, 1));
      rs.clientRun = { image: image(release), role: 'client', args: ['client', '--plan', planFile] };
      const clientStarted = Date.now();
      try {
        run = await runClient({ image: image(release), peer: release.peer.folder, timeoutSeconds: clientPlanSeconds(clientCells), args: ['--plan', planFile], mounts: [context.runDir] });
        return run;
      } finally {
        rs.clientEndedAt = Date.now();
        recordPhase('peer-client-runs', rs.clientEndedAt - clientStarted);
      }
    } finally {
      if (host) await collectFrom(host, rs, group, run);
    }
  };

  /** Reads what a host's servers saw into the cells' states (the cases' windows from the TAP), then ends the host. */
  const collectFrom = async (host: ServerHost, rs: ReleaseState, group: readonly SliceCell<C>[], run: ClientRun | undefined): Promise<void> => {
    const windows = new Map<string, ReadonlyMap<string, CaseWindow>>();
    // The cells whose bytes a failing case may show: a line not ok, or lines missing.
    const wireFor = new Set<string>();
    if (run) rs.tapByCell ??= tapsByCell(run.stdout);
    for (const c of group) {
      const cellTap = rs.tapByCell?.get(c.key);
      if (!cellTap) {
        wireFor.add(c.key);
        continue;
      }
      const state = states.get(c.key) as CellState;
      state.tap ??= readCellTap(cellTap.tap);
      windows.set(c.key, state.tap.windows);
      if (state.tap.results.size < runnable(c.cases).length || [...state.tap.results.values()].some((r) => !r.ok)) wireFor.add(c.key);
    }
    try {
      const report = await host.collect(windows, tracing ? 'all' : wireFor);
      rs.hostStalls = report.stalls;
      for (const c of group) {
        const seen = report.cells.get(c.key);
        if (!seen) continue;
        const state = states.get(c.key) as CellState;
        state.ours = seen;
        state.serverWire = seen.wire;
        state.serverLog = seen.log;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const c of group) (states.get(c.key) as CellState).hostLost = reason;
    } finally {
      await host.close();
    }
  };

  // Per release, its ts-server cells: one group of our servers and one peer client plan.
  const serverGroups = [...releasesOf.values()].map((release) => ({
    release, cells: cells.filter((c) => c.release.key === release.key && c.cell.direction === 'ts-server'),
  })).filter((g) => g.cells.length > 0);
  /** The longest a ts-server cell's test may wait for its release's plan, turns included. */
  const planWaitSeconds = new Map<string, number>();
  const finish = worstFinish(serverGroups.map((g) => ({ size: g.cells.length, bound: clientPlanSeconds(g.cells) + PLAN_WAIT_SLACK_SECONDS })), LIVE_SERVERS);
  for (const [i, g] of serverGroups.entries()) planWaitSeconds.set(g.release.key, finish[i] ?? 0);

  const setupSeconds = cellTimeoutSeconds() + Math.max(...[...releasesOf.values()].map((r) => r.peer.startupSeconds));
  describe.skipIf(!context.docker)(`${cells[0]?.cell.family} slice`, () => {
    beforeAll(async () => {
      // Endpoints first: a port per TCP/TLS cell, a socket path per Unix cell, the run's TLS files.
      for (const c of cells) {
        const state = states.get(c.key) as CellState;
        state.endpoint = {
          host: LOOPBACK, socket: c.cell.socket,
          port: c.cell.socket === 'unix' ? 0 : await freePort(),
          ...(c.cell.socket === 'unix' ? { path: socketPath(c.key) } : {}),
          ...(c.cell.socket === 'tls' ? { tls: context.tls } : {}),
        };
      }
      // ts-server: per release, our servers and then the peer client plan that drives them, not
      // awaited here (its cells' tests wait for it); the servers close when the plan has run, and
      // groups take turns so that no more than LIVE_SERVERS of ours live at once (live-limit.ts).
      const runs = underLimit(serverGroups.map((g) => ({ size: g.cells.length, run: () => serveAndDrive(g.release, g.cells) })), LIVE_SERVERS);
      for (const [i, g] of serverGroups.entries()) {
        const rs = releaseState(g.release);
        rs.client = runs[i] as Promise<ClientRun>;
        rs.client.then((run) => { rs.tapByCell = tapsByCell(run.stdout); }, () => undefined);
      }
      for (const release of releasesOf.values()) {
        const rs = releaseState(release);
        const serverCells = cells.filter((c) => c.release.key === release.key && c.cell.direction === 'ts-client');
        if (serverCells.length > 0) {
          const planFile = planPath(`server-${release.key}-${serverCells[0]?.key ?? ''}`.replace(/[^A-Za-z0-9._@+-]/g, '_'));
          writeFileSync(planFile, JSON.stringify({
            listeners: serverCells.map((c) => ({
              key: c.key, ...axesOf(c.cell), ...endpointFields(states.get(c.key)?.endpoint as Endpoint, 'server'),
              ...(driver.listenerExtras?.(c.cell, runnable(c.cases)) ?? {}),
            })),
          }, null, 1));
          rs.serverRun = { image: image(release), role: 'server', args: ['server', '--plan', planFile] };
          const serverStarted = Date.now();
          try {
            rs.server = await startServer({ image: image(release), peer: release.peer.folder, plan: planFile, runDir: context.runDir, startupSeconds: release.peer.startupSeconds });
            for (const c of serverCells) {
              const reason = rs.server.failed.get(c.key);
              if (reason !== undefined) (states.get(c.key) as CellState).broken = `${release.peer.id} ${release.version} could not start this listener: ${reason || 'no reason given'}`;
            }
            (rs.serverRun as { containerId?: string }).containerId = rs.server.id;
          } catch (error) {
            for (const c of serverCells) (states.get(c.key) as CellState).broken = error instanceof Error ? error.message : String(error);
          }
          recordPhase('container-starts', Date.now() - serverStarted);
        }
      }
    }, setupSeconds * 1000 + 60_000);

    afterAll(async () => {
      for (const c of cells) {
        const rs = releaseStates.get(c.release.key);
        if (c.cell.direction === 'ts-client' && rs?.server) savePeerLog(c.cell, await rs.server.logOf(c.key, 100_000).catch((e: unknown) => `log unavailable: ${String(e)}`));
        if (c.cell.direction === 'ts-server' && rs?.tapByCell) saveTap(c.cell, rs.tapByCell.get(c.key)?.tap ?? '');
      }
      for (const rs of releaseStates.values()) {
        await rs.client?.catch(() => undefined);
        if (!keepContainers()) await rs.server?.stop();
      }
      // A release whose cases were all skipped had no test waiting for its plan, which may still
      // be waiting its turn: the hook may take as long as the last plan.
    }, Math.max(120, ...planWaitSeconds.values()) * 1000);

    // ts-client cells first: they run while the peer client plan (started above, not awaited)
    // drives the ts-server cells, whose first test waits for that whole run. In the other order the
    // worker sat idle through the plan run and only then ran its ts-client cells (a slice took the
    // sum of the two, not the longer: 188 s instead of about 100 in one run).
    const inRunOrder = [...cells.filter((c) => c.cell.direction === 'ts-client'), ...cells.filter((c) => c.cell.direction !== 'ts-client')];
    for (const c of inRunOrder) {
      describe(cellTitle(c.cell), () => {
        const entries = entriesForCell(c.cell, knownFailures);
        for (const [i, selected] of c.cases.entries()) defineCase(c, selected, entries, () => runIds(c.cases.slice(0, i)));
      });
    }
  });

  function defineCase(c: SliceCell<C>, selected: SelectedCase<C & CatalogueCase>, entries: readonly KnownFailure[], earlier: () => readonly string[]): void {
    const testCase = selected.testCase;
    const coordinates: CaseCoordinates = { ...c.cell, case: testCase.id };
    const known = knownFailureFor(coordinates, entries, earlier);
    const flaky = knownFlakyFor(coordinates, knownFlaky);
    const defined: ConformanceMeta = { coordinates, knownFailure: known?.id, knownFlaky: flaky?.id };
    // Meta given at definition reaches the reporter even when the case is skipped. A known failure
    // runs through runCase's inversion (not it.fails) so that an unexpected pass names the stale
    // entry and its reason; our timeout fires before vitest's.
    // ts-server: the test first waits for the release's peer client plan (every cell of the slice),
    // which its own timeout bounds; only what follows is the case's time.
    const planWaitMs = c.cell.direction === 'ts-server' ? (planWaitSeconds.get(c.release.key) ?? 0) * 1000 : 0;
    const options = { meta: { conformance: defined }, timeout: planWaitMs + timeoutMs + 5_000, ...(flaky ? { retry: flaky.retries ?? DEFAULT_FLAKY_RETRIES } : {}) };
    it(testCase.id, options, async (ctx: TestContext) => {
      const state = states.get(c.key) as CellState;
      const rs = releaseStates.get(c.release.key);
      const withRun = (): ConformanceMeta => {
        const peerRun = c.cell.direction === 'ts-client' ? rs?.serverRun : rs?.clientRun;
        return {
          ...defined,
          logs: c.cell.direction === 'ts-client' ? { peer: peerLogPath(c.cell) } : { tap: tapPath(c.cell) },
          ...(peerRun ? { peerRun } : {}),
        };
      };
      ctx.task.meta.conformance = withRun();
      if (selected.skip !== undefined) ctx.skip(selected.skip);
      // A later release's plan may not have started yet (groups take turns): its run is known after.
      if (c.cell.direction === 'ts-server') await rs?.client?.catch(() => undefined);
      const meta = withRun();
      ctx.task.meta.conformance = meta;
      await runCase({
        title: `${cellTitle(c.cell)} | ${testCase.id}`, timeoutMs, known, meta,
        body: async () => {
          if (state.broken) throw new Error(`the cell could not run: ${state.broken}`);
          if (c.cell.direction === 'ts-client') await clientSide(c, state, rs, testCase, meta);
          else await serverSide(c, state, rs, testCase, meta, ctx);
        },
      });
    });
  }

  async function clientSide(c: SliceCell<C>, state: CellState, rs: ReleaseState | undefined, testCase: C, meta: ConformanceMeta): Promise<void> {
    const endpoint = state.endpoint as Endpoint;
    const trace = new WireTrace(DUMP_BYTES);
    // An injected fault puts the breaking proxy between our client and the peer (TCP listeners only).
    const proxy = faulty?.test(testCase.id) && endpoint.socket === 'tcp' ? await startFaultProxy(endpoint.port, DUMP_BYTES) : undefined;
    const wire = (): WireDump[] => [...clientDumps(trace, c.cell.server), ...(proxy ? faultDumps(proxy.trace, proxy.faults, c.cell.server) : [])];
    const started = Date.now();
    try {
      await driver.runClientCase({ cell: c.cell, implementation: c.adapter, endpoint: proxy ? { ...endpoint, port: proxy.port } : endpoint, testCase, recorder: trace });
    } catch (error) {
      throw withWire(withStallNote(await withPeerEvidence(error, rs?.server, c.key), started, Date.now()), wire());
    } finally {
      await proxy?.close();
      if (tracing) meta.wire = wire();
    }
  }

  async function serverSide(c: SliceCell<C>, state: CellState, rs: ReleaseState | undefined, testCase: C, meta: ConformanceMeta, ctx: TestContext): Promise<void> {
    if (!rs?.client) throw new Error('no peer client run was started for this cell');
    const run = await rs.client;
    // Split and read once per release and per cell, not per case (see readCellTap).
    rs.tapByCell ??= tapsByCell(run.stdout);
    const cellTap = rs.tapByCell.get(c.key);
    const clientOutput = (): string => {
      state.clientStderr ??= lastBytes(linesOfCell(run.stderr, c.key, 40), LOG_TAIL_BYTES);
      return `peer client ${run.ending ?? `exit code ${run.exitCode}`}\n--- peer client stderr (tail) ---\n${state.clientStderr}`;
    };
    if (cellTap === undefined) throw new Error(`the peer client printed nothing for this cell\n${clientOutput()}`);
    state.tap ??= readCellTap(cellTap.tap);
    const window = state.tap.windows.get(testCase.id);
    // The case's own time: to the next case's start, or for the last one to the cell's end.
    const caseEnd = window && (Number.isFinite(window.to) ? window.to : cellTap.endedAt);
    if (window && caseEnd !== undefined) meta.durationMs = Math.max(0, caseEnd - window.from);
    const wire = (): WireDump[] => (window && state.serverWire ? serverDumps(state.serverWire.between(window.from, window.to), c.cell.client) : []);
    if (tracing) meta.wire = wire();
    const line: TapResult | undefined = state.tap.results.get(testCase.id);
    // A case the peer client cannot run is a skip with its reason, never a pass.
    if (line?.directive === 'SKIP') ctx.skip(`peer client: ${line.reason ?? 'skipped (no reason given)'}`);
    if (!line) throw new Error(`peer client reported nothing for ${testCase.id}${cellTap.ended ? '' : ' (its output for this cell was cut short)'}\n${clientOutput()}`);
    const problems = state.ours?.problems.get(testCase.id) ?? [];
    const crashed = state.ours?.crashed ?? state.hostLost;
    if (!line.ok || problems.length > 0 || crashed) {
      // The case's span as the peer client saw it; the last case's ends with the plan run.
      // Stalls are stamped on the real-time clock: the window's real-time span.
      const stalled = window ? stallNote(window.wallFrom, Number.isFinite(window.wallTo) ? window.wallTo : (rs.clientEndedAt ?? Date.now()), rs.hostStalls ?? [], HOST_STALLS) : undefined;
      throw withWire(new Error([
        line.ok ? 'peer client: ok' : `peer client: not ok\n${line.diagnostic}`,
        ...problems.map((p) => `our server: ${p}`),
        ...(crashed ? [`our server crashed: ${crashed}`] : []),
        ...(stalled ? [stalled] : []),
        ...(state.serverLog?.forFailure(window) ?? []),
        clientOutput(),
      ].join('\n')), wire());
    }
  }
}

/**
 * How many servers of ours (every implementation's, one per ts-server cell) a slice keeps alive at
 * once. The default run's slices have 12-136 (every release's group at once, as before); a
 * release-grid slice has 500-620 over 13-14 releases, ~220 of them npm thrift's threads, and takes
 * its releases two or three at a time.
 */
const LIVE_SERVERS = 160;

/** Docker's own time around a peer client run (create, start, logs, rm). */
const PLAN_WAIT_SLACK_SECONDS = 60;

/** How long a peer client plan over these cells may run: 20 s per cell and 2 s per case, within the cell timeout each. */
function clientPlanSeconds(cells: readonly { readonly cases: readonly unknown[] }[]): number {
  const budget = cells.reduce((sum, c) => sum + 20 + 2 * c.cases.length, 0);
  return Math.min(cellTimeoutSeconds() * cells.length, Math.max(60, budget));
}

function tapsByCell(stdout: string): Map<string, CellTap> {
  return new Map(splitCells(stdout).cells.map((c) => [c.key, c]));
}

function runnable<C>(cases: readonly SelectedCase<C>[]): C[] {
  return cases.filter((s) => s.skip === undefined).map((s) => s.testCase);
}

function axesOf(cell: Cell): Record<string, string> {
  return { transport: cell.transport, protocol: cell.protocol, socket: cell.socket, serverKind: cell.serverKind };
}

function endpointFields(endpoint: Endpoint, role: 'client' | 'server'): Record<string, unknown> {
  return {
    host: endpoint.host,
    ...(endpoint.socket === 'unix' ? { path: endpoint.path } : { port: endpoint.port }),
    ...(endpoint.tls ? { tls: role === 'server' ? { cert: endpoint.tls.cert, key: endpoint.tls.key, ca: endpoint.tls.ca } : { ca: endpoint.tls.ca } } : {}),
  };
}

/** Error plus the wire dumps, in the shape failure-detail.ts reads (kept on expected failures too). */
function withWire(error: unknown, wire: readonly WireDump[]): unknown {
  if (wire.length > 0 && error instanceof Error) Object.assign(error, { wire });
  return error;
}

/** Adds, when the worker's loop stalled between from and to, a line that says so (loop-stalls.ts). */
function withStallNote(error: Error, from: number, to: number): Error {
  const note = stallNote(from, to);
  if (note) error.message += `\n${note}`;
  return error;
}

/** Adds the peer server's log for this listener and, if the container is gone, how it ended. */
async function withPeerEvidence(error: unknown, server: RunningServer | undefined, key: string): Promise<Error> {
  const base = error instanceof Error ? error : new Error(String(error));
  if (!server) return base;
  const state = await server.state().catch(() => undefined);
  if (state && !state.running) base.message += `\n--- the peer server container died: ${describeState(state)} ---`;
  base.message += `\n--- peer server log (tail) ---\n${lastBytes(await server.logOf(key, 40).catch((e: unknown) => `log unavailable: ${String(e)}`), LOG_TAIL_BYTES)}`;
  return base;
}

/**
 * A peer client's stderr lines about one cell (prefixed "[<key>] ", as a server's are) and its
 * unprefixed lines, the last `lines` of them: the last lines of the whole stderr were those of
 * whichever cells the client ran last, the same for every failing case of the release.
 */
function linesOfCell(stderr: string, key: string, lines: number): string {
  const log = new ListenerLog();
  log.push('err', stderr);
  log.end();
  return log.of(key, lines);
}

declare module 'vitest' {
  interface TaskMeta {
    // [results] the fields beyond coordinates and knownFailure are optional (see harness/results/case-meta.ts).
    conformance?: ConformanceMeta;
  }
}
