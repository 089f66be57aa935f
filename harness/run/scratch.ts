// Scratch folders of tests, self-checks and the CLI: made under the system temp folder and removed
// when the process exits or, in vitest, after each test file (harness/vitest/scratch-cleanup.ts;
// with only the 'exit' listener the folders stayed after a unit run: vitest's workers end without
// it), so that `npm test` leaves nothing behind (it used to leave ~15 folders, some of 2 MB, per
// run). Removal is synchronous because 'exit' listeners cannot wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let listening = false;

/** Removes every scratch folder this process has made so far. */
export function removeScratchDirectories(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A new empty folder named `<prefix><random>` that lives until this process exits or its test file ends. */
export function scratchDirectory(prefix: string): string {
  if (!listening) {
    listening = true;
    process.once('exit', removeScratchDirectories);
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
