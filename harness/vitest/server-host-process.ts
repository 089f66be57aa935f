// The server host's process (server-host.ts): starts our servers for the groups of cells its test
// worker gives it, through the family's driver and each implementation's adapter, exactly as the
// worker did before, and does nothing else while peer clients run against them. Its messages are
// in server-host.ts.
import type { CatalogueCase } from '../matrix/case-filter.ts';
import type { CaseWindow } from '../tap/parse.ts';
import { loadAdapter, type LoadedImplementation } from '../contract/load.ts';
import { freePort } from '../net/ports.ts';
import { ServerWireLog } from '../../impls/wire/recorder.ts';
import type { Endpoint, FamilyDriver, ServerStartRun, TsServer } from './family-driver.ts';
import { recordedStalls, watchLoopStalls } from './loop-stalls.ts';
import { ServerLog } from './server-log.ts';
import type { CellReportData, FromHost, HostedCell, ToHost } from './server-host.ts';

interface Serving {
  readonly hosted: HostedCell;
  readonly server: TsServer;
  readonly wire: ServerWireLog;
  readonly log: ServerLog;
}

/** Per group, its cells' servers. */
const groups = new Map<number, Serving[]>();
const adapters = new Map<string, Promise<LoadedImplementation>>();

function send(message: FromHost): void {
  process.send?.(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How many other ports a server whose port was taken may try. The worker reserves a port per cell
 * when its slice begins (harness/net/ports.ts) and a group's servers may start minutes later; once
 * in a fresh-clone run (ci65, 1 of 14) something bound one in between, and the cell failed whole.
 */
const PORT_RETRIES = 3;

function portTaken(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' || /\bEADDRINUSE\b/.test(messageOf(error));
}

/**
 * Starts a cell's server; when its TCP port was taken since the worker reserved it, on another
 * port reserved here, said in the cell's log. Returns the server and the port it listens on.
 */
async function startOn<C extends CatalogueCase>(driver: FamilyDriver<C>, run: ServerStartRun<C>, log: ServerLog): Promise<{ server: TsServer; endpoint: Endpoint }> {
  let endpoint = run.endpoint;
  for (let attempt = 0; ; attempt++) {
    try {
      return { server: await driver.startServer({ ...run, endpoint }), endpoint };
    } catch (error) {
      if (endpoint.port === 0 || attempt >= PORT_RETRIES || !portTaken(error)) throw error;
      const port = await freePort();
      log.write(`[server host] port ${endpoint.port} was taken after it was reserved (${messageOf(error)}); listening on ${port} instead`);
      endpoint = { ...endpoint, port };
    }
  }
}

async function start(group: number, driverModule: string, cells: readonly HostedCell[]): Promise<{ failures: Record<string, string>; ports: Record<string, number> }> {
  const serving: Serving[] = [];
  groups.set(group, serving);
  const driver = (await import(driverModule) as { default: FamilyDriver<CatalogueCase> }).default;
  const catalogue = new Map(driver.cases().map((c) => [c.id, c]));
  const failures: Record<string, string> = {};
  const ports: Record<string, number> = {};
  for (const hosted of cells) {
    const wire = new ServerWireLog({ keepPerChunk: hosted.keepPerChunk });
    const log = new ServerLog();
    try {
      let implementation = adapters.get(hosted.modulePath);
      if (!implementation) {
        implementation = loadAdapter(hosted.modulePath);
        adapters.set(hosted.modulePath, implementation);
      }
      const cases = hosted.caseIds.map((id) => {
        const found = catalogue.get(id);
        if (!found) throw new Error(`no case ${id} in the ${driver.family} catalogue`);
        return found;
      });
      const { server, endpoint } = await startOn(driver, {
        cell: hosted.cell, implementation: await implementation, endpoint: hosted.endpoint, cases, recorders: wire, log: log.write,
      }, log);
      if (endpoint.port !== hosted.endpoint.port) ports[hosted.key] = endpoint.port;
      serving.push({ hosted, server, wire, log });
    } catch (error) {
      failures[hosted.key] = messageOf(error);
    }
  }
  return { failures, ports };
}

function collect(group: number, windows: Readonly<Record<string, Readonly<Record<string, CaseWindow>>>>, wireFor: readonly string[] | 'all'): Record<string, CellReportData> {
  const cells: Record<string, CellReportData> = {};
  for (const { hosted, server, wire, log } of groups.get(group) ?? []) {
    const perCase = windows[hosted.key] ?? {};
    const crashed = server.crashed?.();
    const problems = hosted.caseIds.map((id) => [id, server.problemsFor(id, perCase[id])] as const);
    // Bytes cross only for cells a report will show them of: a whole run's would be hundreds of MB.
    const shown = wireFor === 'all' || wireFor.includes(hosted.key) || crashed !== undefined || problems.some(([, found]) => found.length > 0);
    cells[hosted.key] = {
      problems,
      ...(crashed !== undefined ? { crashed } : {}),
      wire: shown ? wire.snapshot() : { peers: [], chunks: [], kept: 0, dropped: 0 },
      log: log.snapshot(),
    };
  }
  return cells;
}

async function close(group: number): Promise<void> {
  const serving = groups.get(group) ?? [];
  groups.delete(group);
  await Promise.all(serving.map((s) => s.server.close().catch(() => undefined)));
}

watchLoopStalls();
process.on('message', (message: ToHost) => {
  void (async () => {
    try {
      if (message.type === 'start') send({ id: message.id, type: 'started', ...await start(message.group, message.driver, message.cells) });
      else if (message.type === 'collect') send({ id: message.id, type: 'collected', cells: collect(message.group, message.windows, message.wireFor), stalls: recordedStalls() });
      else {
        await close(message.group);
        send({ id: message.id, type: 'closed' });
      }
    } catch (error) {
      send({ id: message.id, type: 'error', message: messageOf(error) });
    }
  })();
});
// The worker ended (or died): nothing is left to serve.
process.on('disconnect', () => {
  void Promise.all([...groups.keys()].map(close)).finally(() => process.exit(0));
});
