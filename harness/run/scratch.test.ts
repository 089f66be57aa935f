import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/peers.ts';

describe('scratch folders', () => {
  it('exist while the process runs and are gone once it has exited', async () => {
    const script = "import { existsSync } from 'node:fs'; import { scratchDirectory } from './harness/run/scratch.ts';"
      + " const a = scratchDirectory('scratch-test-'); const b = scratchDirectory('scratch-test-');"
      + ' console.log(JSON.stringify([a, b, existsSync(a) && existsSync(b)]));';
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT });
    const [a, b, existedWhileRunning] = JSON.parse(run.stdout) as [string, string, boolean];
    expect(existedWhileRunning).toBe(true);
    expect(a).not.toBe(b);
    expect(existsSync(a) || existsSync(b)).toBe(false);
  });
});
