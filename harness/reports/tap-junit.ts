// The ts-server direction's raw evidence: each reference client's TAP, saved by define-cells.ts
// under reports/tap/<cell>.tap, turned into JUnit by tap-junit (reports/tap-junit/<cell>.xml).
// Kept out of reports/junit/ on purpose: there a known failure is a plain "not ok", so a CI glob
// over the gate's JUnit must never pick these up. Which TAP files exist is read from results.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Parser, type Result } from 'tap-parser';
import { REPO_ROOT } from '../docker/peers.ts';
import type { RunResults } from '../results/model.ts';
import { cellName } from './junit.ts';

/** Where the evidence JUnit goes, relative to the reports folder. */
export const EVIDENCE_JUNIT_DIR = 'tap-junit';

type Serialize = (cases: readonly unknown[], output: unknown, args: { name: string; classname: string; pretty: boolean }) => string;
// tap-junit's own XML writer, called in-process: its command line handles one file per process
// and exits the process, which made ~60 cells take 10 s. The events fed to it are the ones its
// command line feeds (tap-junit 5.0.4, src/index.js): each assert with the comment before it.
const serialize = createRequire(import.meta.url)('tap-junit/src/serialize.js') as Serialize;

export interface TapConversion {
  readonly tap: string;
  /** Path of the JUnit file relative to the reports folder, when it was written. */
  readonly junit?: string;
  readonly problem?: string;
}

/** JUnit XML for one TAP text, as tap-junit writes it. */
export function tapToJunit(tap: string, name: string, classname: string): string {
  const cases: unknown[] = [];
  let comment = '';
  let xml: string | undefined;
  const parser = new Parser();
  parser.on('assert', (result: Result) => { cases.push({ comments: comment, ...result }); });
  parser.on('comment', (line: string) => { if (!/failed \d of \d+ tests/.test(line)) comment = line; });
  parser.on('complete', (output: unknown) => { xml = serialize(cases, output, { name, classname, pretty: true }); });
  parser.end(tap.endsWith('\n') ? tap : `${tap}\n`);
  if (xml === undefined) throw new Error('tap-parser did not complete');
  return xml;
}

export function convertTapFiles(run: RunResults, reportsDir: string): TapConversion[] {
  const byTap = new Map<string, string>();
  for (const result of run.results) {
    if (result.logs.tap && !byTap.has(result.logs.tap)) byTap.set(result.logs.tap, cellName(result.coordinates));
  }
  const conversions: TapConversion[] = [];
  for (const [tap, title] of byTap) {
    const absolute = tap.startsWith('/') ? tap : join(REPO_ROOT, tap);
    if (!existsSync(absolute)) {
      conversions.push({ tap, problem: 'TAP file named in results.json is missing' });
      continue;
    }
    const base = (absolute.split('/').pop() ?? 'peer').replace(/\.tap$/, '');
    const path = `${EVIDENCE_JUNIT_DIR}/${base.replace(/[^\w.-]/g, '_')}.xml`;
    try {
      mkdirSync(join(reportsDir, EVIDENCE_JUNIT_DIR), { recursive: true });
      writeFileSync(join(reportsDir, path), tapToJunit(readFileSync(absolute, 'utf8'), base, title));
      conversions.push({ tap, junit: path });
    } catch (error) {
      conversions.push({ tap, problem: error instanceof Error ? error.message : String(error) });
    }
  }
  return conversions;
}
