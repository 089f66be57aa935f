// The ts-server direction's raw evidence: each reference client's TAP, saved by define-cells.ts
// under reports/tap/<cell>.tap, turned into JUnit by tap-junit beside the model's own JUnit files
// (reports/junit/tap-<cell>.xml). Which TAP files exist is read from results.json, not the folder.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../docker/peers.ts';
import { cellTitle } from '../matrix/naming.ts';
import type { RunResults } from '../results/model.ts';

const TAP_JUNIT_BIN = join(dirname(createRequire(import.meta.url).resolve('tap-junit/package.json')), 'bin', 'tap-junit');

export interface TapConversion {
  readonly tap: string;
  /** Path of the JUnit file relative to the reports folder, when it was written. */
  readonly junit?: string;
  readonly problem?: string;
}

export async function convertTapFiles(run: RunResults, reportsDir: string): Promise<TapConversion[]> {
  const byTap = new Map<string, string>();
  for (const result of run.results) {
    if (result.logs.tap && !byTap.has(result.logs.tap)) byTap.set(result.logs.tap, `${result.coordinates.direction} | ${cellTitle(result.coordinates)}`);
  }
  const conversions: TapConversion[] = [];
  for (const [tap, title] of byTap) {
    const absolute = tap.startsWith('/') ? tap : join(REPO_ROOT, tap);
    if (!existsSync(absolute)) {
      conversions.push({ tap, problem: 'TAP file named in results.json is missing' });
      continue;
    }
    // tap-junit strips anything after a dot from the name it is given, so the cell id's dots become "_".
    const name = `tap-${(absolute.split('/').pop() ?? 'peer').replace(/\.tap$/, '').replace(/[^\w-]/g, '_')}.xml`;
    // tap-junit exits non-zero when the TAP has failures; whether it wrote the file is what counts.
    const run = await execa(process.execPath, [TAP_JUNIT_BIN, '--input', absolute.slice(1), '--output', join(reportsDir, 'junit'),
      '--name', name, '--classname', title, '--pretty'], { cwd: '/', reject: false });
    const written = join(reportsDir, 'junit', name);
    conversions.push(existsSync(written) ? { tap, junit: `junit/${name}` } : { tap, problem: `tap-junit wrote nothing (exit ${run.exitCode}): ${run.stderr.trim()} ${run.stdout.trim()}`.trim() });
  }
  return conversions;
}
