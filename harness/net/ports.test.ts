import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_DIR_ENV } from '../run/run-dir.ts';
import { freePort } from './ports.ts';

describe('freePort', () => {
  const saved = process.env[RUN_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[RUN_DIR_ENV];
    else process.env[RUN_DIR_ENV] = saved;
  });

  it('claims each port it gives in the run directory, so other workers of the run skip it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-test-'));
    try {
      process.env[RUN_DIR_ENV] = dir;
      const first = await freePort();
      const second = await freePort();
      expect(first).not.toBe(second);
      expect(existsSync(join(dir, 'ports', String(first)))).toBe(true);
      expect(existsSync(join(dir, 'ports', String(second)))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
