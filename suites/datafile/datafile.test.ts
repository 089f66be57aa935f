// Avro object container files across languages: writer (ours, python, java) x reader x codec x
// schema set, and bad files against every reader. One peer process per participant and phase
// (write, read) runs every job of that phase; each test then judges one case from the outputs.
// Which cells run is the common axis filter (CONFORMANCE_FILTER: the CLI's --family avro-datafile,
// --peer, --direction, --client (writer), --server (reader), --transport (codec), --protocol (schema
// set), ...) and case glob (CONFORMANCE_CASE); only the reference peers those cells need run.
import { beforeAll, describe, inject, it, type TestContext } from 'vitest';
import type { CaseCoordinates } from '../../harness/matrix/axes.ts';
import { filterFromEnv } from '../../harness/matrix/cells.ts';
import { globRegExp } from '../../harness/matrix/glob.ts';
import { cellTitle } from '../../harness/matrix/naming.ts';
import { knownFailureFor, loadKnownFailures } from '../../harness/matrix/known-failures.ts';
import type { ConformanceMeta } from '../../harness/results/case-meta.ts';
import { runCase } from '../../harness/results/case-runner.ts';
import { caseTimeoutMs, cellTimeoutSeconds, ENV } from '../../harness/results/run-options.ts';
import { datafileCells, referenceParticipantsOf } from './cells.ts';
import { judgeBadFile, judgeRead } from './judge.ts';
import { OURS, PEER_FOLDERS, participantRelease, workRoot } from './plan.ts';
import { runMatrix, type MatrixRun } from './run.ts';
import { schemaFiles } from './sets.ts';

const context = inject('conformance');
const known = loadKnownFailures();
const files = schemaFiles();
const glob = process.env[ENV.caseGlob];
const caseRegExp = glob ? globRegExp(glob) : undefined;
// Participants: ours, and every reference peer whose image this run built (the global setup builds
// those the filter can select); then only those the selected cells need.
const available = [OURS, ...Object.keys(PEER_FOLDERS).filter((id) => context.images[participantRelease(id).key])];
const cells = datafileCells(available, files, filterFromEnv(), (id) => !caseRegExp || caseRegExp.test(id));
const images = Object.fromEntries(referenceParticipantsOf(cells).map((id) => [id, context.images[participantRelease(id).key] as string]));
const timeoutMs = caseTimeoutMs();
let run: MatrixRun | undefined;

function defineCase(title: string, coordinatesOf: CaseCoordinates, body: (r: MatrixRun) => void): void {
  const knownFailure = knownFailureFor(coordinatesOf, known);
  const defined: ConformanceMeta = { coordinates: coordinatesOf, knownFailure: knownFailure?.id };
  it(coordinatesOf.case, { meta: { conformance: defined } }, async (ctx: TestContext) => {
    const meta: ConformanceMeta = { ...defined, logs: {} };
    ctx.task.meta.conformance = meta;
    await runCase({
      title: `${title} | ${coordinatesOf.case}`, timeoutMs, known: knownFailure, meta,
      body: async () => {
        if (!run) throw new Error('the data-file matrix did not run (see the beforeAll error)');
        body(run);
      },
    });
  });
}

if (cells.length === 0) {
  // Said out loud rather than an empty file, as define-slice.ts does.
  it.skip('no cells: the filter or the case glob leaves none in the data-file matrix', () => undefined);
} else {
  describe.skipIf(!context.docker)('avro-datafile', () => {
    beforeAll(async () => {
      run = await runMatrix({ root: workRoot(context.runId), files, images, timeoutSeconds: cellTimeoutSeconds() });
    }, cellTimeoutSeconds() * 2000 + 120_000);

    for (const { cell, writer, reader, codec, cases } of cells) {
      const title = cellTitle(cell);
      describe(title, () => {
        for (const c of cases) {
          defineCase(title, c.coordinates, c.kind === 'read'
            ? (r) => judgeRead(r, writer, reader, codec, c.file, c.read)
            : (r) => judgeBadFile(r, reader, codec, c.bad));
        }
      });
    }
  });
}
