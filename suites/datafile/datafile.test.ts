// Avro object container files across languages: writer (ours, python, java) x reader x codec x
// schema set, and bad files against every reader. One peer process per participant and phase
// (write, read) runs every job of that phase; each test then judges one case from the outputs.
import { beforeAll, describe, inject, it, type TestContext } from 'vitest';
import { cellTitle } from '../../harness/matrix/naming.ts';
import { knownFailureFor, loadKnownFailures } from '../../harness/matrix/known-failures.ts';
import type { ConformanceMeta } from '../../harness/results/case-meta.ts';
import { runCase } from '../../harness/results/case-runner.ts';
import { caseTimeoutMs, cellTimeoutSeconds } from '../../harness/results/run-options.ts';
import { BAD_FILES } from './bad-files.ts';
import { judgeBadFile, judgeRead } from './judge.ts';
import { BAD_SET, CODECS, coordinates, OURS, PEER_FOLDERS, workRoot } from './plan.ts';
import { runMatrix, type MatrixRun } from './run.ts';
import { schemaFiles } from './sets.ts';

const context = inject('conformance');
const known = loadKnownFailures();
const files = schemaFiles();
/** CONFORMANCE_DATAFILE_PEERS=python limits the reference participants (default: every one with an image). */
const wanted = process.env['CONFORMANCE_DATAFILE_PEERS']?.split(',').filter(Boolean);
const images = Object.fromEntries(Object.entries(PEER_FOLDERS)
  .filter(([id]) => !wanted || wanted.includes(id))
  .flatMap(([id, folder]) => (context.images[folder] ? [[id, context.images[folder]]] : [])));
const participants = [OURS, ...Object.keys(images)];
const timeoutMs = caseTimeoutMs();
let run: MatrixRun | undefined;

function defineCase(title: string, coordinatesOf: ReturnType<typeof coordinates>, body: (r: MatrixRun) => void): void {
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

describe.skipIf(!context.docker)('avro-datafile', () => {
  beforeAll(async () => {
    run = await runMatrix({ root: workRoot(context.runId), files, images, timeoutSeconds: cellTimeoutSeconds() });
  }, cellTimeoutSeconds() * 2000 + 120_000);

  for (const writer of participants) {
    for (const reader of participants) {
      for (const codec of CODECS) {
        for (const set of [...new Set(files.map((f) => f.set))]) {
          const cell = coordinates(writer, reader, codec, set, '');
          describe(cellTitle(cell), () => {
            for (const file of files.filter((f) => f.set === set)) {
              for (const read of file.reads) {
                defineCase(cellTitle(cell), coordinates(writer, reader, codec, set, read.id), (r) => judgeRead(r, writer, reader, codec, file, read));
              }
            }
          });
        }
      }
    }
  }
  for (const reader of participants) {
    for (const codec of CODECS) {
      const cell = coordinates(OURS, reader, codec, BAD_SET, '');
      describe(cellTitle(cell), () => {
        for (const bad of BAD_FILES) {
          defineCase(cellTitle(cell), coordinates(OURS, reader, codec, BAD_SET, bad.id), (r) => judgeBadFile(r, reader, codec, bad));
        }
      });
    }
  }
});
