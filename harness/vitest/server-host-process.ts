// The server host's process (server-host.ts): starts our servers for the groups of cells its test
// worker gives it, through the family's driver and each implementation's adapter, exactly as the
// worker did before, and does nothing else while peer clients run against them. Its messages are
// in server-host.ts.
import type { CatalogueCase } from '../matrix/case-filter.ts';
import type { CaseWindow } from '../tap/parse.ts';
import { loadAdapter, type LoadedImplementation } from '../contract/load.ts';
import { ServerWireLog } from '../../impls/wire/recorder.ts';
import type { FamilyDriver, TsServer } from './family-driver.ts';
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

async function start(group: number, driverModule: string, cells: readonly HostedCell[]): Promise<Record<string, string>> {
  const serving: Serving[] = [];
  groups.set(group, serving);
  const driver = (await import(driverModule) as { default: FamilyDriver<CatalogueCase> }).default;
  const catalogue = new Map(driver.cases().map((c) => [c.id, c]));
  const failures: Record<string, string> = {};
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
      const server = await driver.startServer({
        cell: hosted.cell, implementation: await implementation, endpoint: hosted.endpoint, cases, recorders: wire, log: log.write,
      });
      serving.push({ hosted, server, wire, log });
    } catch (error) {
      failures[hosted.key] = messageOf(error);
    }
  }
  return failures;
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
      if (message.type === 'start') send({ id: message.id, type: 'started', failures: await start(message.group, message.driver, message.cells) });
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
