// The hostile family against the reference servers (direction references: hostile -> <peer>), every
// transport x protocol they offer on TCP: the same cases as against ours, their behaviour recorded.
// A suite file per language (references-java, references-python) so that vitest runs them side by side.
// Where a reference hangs, leaks or crashes, that is a finding for suites/known-failures.json, not
// a reason to drop the case. One server plan container per release (references/session.ts), with a
// memory limit; a case that leaves it dead or not serving hands the next case a new one.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { loadPeers, selectReleases } from '../../harness/docker/peers.ts';
import { versionSelection } from '../../harness/results/run-options.ts';
import { attackServer } from './attacks/server.ts';
import type { ServerCase } from './catalogue.ts';
import { caseBudgetMs, defineCells, selectedCells } from './define.ts';
import { assertWithin, describeServerBounds, serverFigures, serverProblems, serverWire } from './judge.ts';
import { ReferenceSession } from './references/session.ts';
import { cellWire } from './rpc-wire.ts';
import type { HostileCell } from './cells.ts';
import { cellId } from '../../harness/results/cell-id.ts';

const sessions = new Map<string, ReferenceSession>();

async function warmUp(session: ReferenceSession, releaseCells: readonly HostileCell[]): Promise<void> {
  for (const c of releaseCells) {
    const port = session.ports().get(cellId(c.cell));
    if (port !== undefined) await cellWire(c.rpc, c.cell.transport, c.cell.protocol).validCall(port).catch(() => undefined);
  }
}

/** Defines the references cells of the peers in these containers/ folders. */
export function defineReferenceServers(folders: readonly string[]): void {
  const context = inject('conformance');
  const releases = selectReleases(loadPeers(), versionSelection()).filter((r) => folders.includes(r.peer.folder) && context.images[r.key] !== undefined);
  const cells = selectedCells('references', releases);
  if (cells.length === 0) {
    // Said out loud rather than an empty file, as define-slice.ts does.
    it.skip(`no reference cells: the filter, the case glob or the images built in this run leave none (${releases.length} release(s) with an image)`, () => undefined);
  } else {
    describe.skipIf(!context.docker)('hostile references', () => {
      beforeAll(async () => {
        for (const release of new Map(cells.map((c) => [c.release?.key ?? '', c.release])).values()) {
          if (!release) continue;
          const image = context.images[release.key] as string;
          sessions.set(release.key, await ReferenceSession.plan(release, image, context.runDir, cells.filter((c) => c.release?.key === release.key)));
        }
      });

      afterAll(async () => {
        await Promise.all([...sessions.values()].map((s) => s.stop()));
      }, 60_000);

      defineCells(cells, async (planned, cell, measured, meta) => {
        const testCase = planned.testCase as ServerCase;
        if (testCase.attack.kind === 'fuzz') throw new Error('the fuzz runs against our servers only');
        const session = sessions.get(cell.release?.key ?? '') as ReferenceSession;
        const { pid, port, started, previousEnding } = await session.ready(cell);
        meta.peerRun = session.peerRun;
        // A new server is warmed up first (one valid call per listener): the cases time how it
        // handles bad input, not a cold JVM's first request.
        if (started) await warmUp(session, cells.filter((c) => c.release?.key === cell.release?.key));
        const { answerMatches, ...overrides } = testCase.references?.expect ?? {};
        const expect = { ...testCase.expect, ...overrides };
        const bounds = { ...expect, ours: false, transport: cell.cell.transport, ...(answerMatches ? { referenceAnswerMatches: answerMatches } : {}) };
        const observation = await attackServer({ wire: cellWire(cell.rpc, cell.cell.transport, cell.cell.protocol), port, pid }, testCase.attack, {
          windowMs: expect.withinMs + Math.min(expect.withinMs / 2, 2_000), servedAfter: expect.servedAfter, expected: expect.reaction,
          ...(testCase.references?.count !== undefined ? { count: testCase.references.count } : {}),
        });
        const figures = serverFigures(observation);
        const running = await session.running();
        if (!running) figures['serverEnding'] = await session.ending();
        if (previousEnding) figures['previousServerEnding'] = previousEnding;
        measured(figures);
        const problems = serverProblems(observation, bounds);
        if (!running) problems.push(`the reference server container ended: ${figures['serverEnding']}`);
        const log = problems.length > 0 ? await session.logOf(cell) : '';
        // The next case starts on a server that serves and has not leaked: a dead, stuck or grown
        // one is replaced (its memory would count against the next cases), and the next case says why.
        const grownMb = (observation.usage.peakBytes - observation.usage.beforeBytes) / (1024 * 1024);
        if (!running || (observation.served && !observation.served.ok) || grownMb > expect.rssGrowthMb) {
          const why = !running ? String(figures['serverEnding'])
            : observation.served && !observation.served.ok ? `it no longer served (${observation.served.detail})` : `its RSS grew by ${grownMb.toFixed(1)} MB`;
          await session.retire(`after ${testCase.id}: ${why}`);
        }
        try {
          assertWithin(testCase.id, problems, describeServerBounds(bounds), figures, serverWire(observation, `${cell.cell.server} ${cell.cell.version}`));
        } catch (error) {
          if (error instanceof Error) error.message += `\n--- ${cell.cell.server} ${cell.cell.version} server log (tail) ---\n${log}`;
          throw error;
        }
      }, (planned) => caseBudgetMs(Math.max(planned.testCase.expect.withinMs, (planned.testCase as ServerCase).references?.expect?.withinMs ?? 0)) + 120_000);
    });
  }
}
