// Raw evidence of a cell, saved under reports/ for the reports to point at: the peer client's TAP
// (ts-server direction; converted to JUnit by tap-junit) and the peer server's log (ts-client).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cell } from '../matrix/axes.ts';
import { cellId } from './cell-id.ts';
import { repoRelative, reportsDir } from './files.ts';

function save(folder: string, name: string, content: string): string {
  const dir = join(reportsDir(), folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return repoRelative(path);
}

/** Returns the repository-relative path of reports/tap/<cell>.tap. */
export function saveTap(cell: Cell, tap: string): string {
  return save('tap', `${cellId(cell)}.tap`, tap);
}

/** Returns the repository-relative path of reports/logs/<cell>.log. */
export function savePeerLog(cell: Cell, log: string): string {
  return save('logs', `${cellId(cell)}.log`, log);
}

/** Where savePeerLog puts a cell's log (known before the log exists, so tests can point at it). */
export function peerLogPath(cell: Cell): string {
  return repoRelative(join(reportsDir(), 'logs', `${cellId(cell)}.log`));
}

/** Where saveTap puts a cell's TAP (known before the run ends, so tests can point at it). */
export function tapPath(cell: Cell): string {
  return repoRelative(join(reportsDir(), 'tap', `${cellId(cell)}.tap`));
}
