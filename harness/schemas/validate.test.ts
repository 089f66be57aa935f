// The schema validators kept as ajv standalone code (validate.ts): what is read back judges data as
// the compiled validator does, and a missing, broken or unwritable cache only costs a compilation.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOWN_FAILURES_FILE } from '../matrix/known-failures.ts';
import { scratchDirectory } from '../run/scratch.ts';
import { loadValidator, VALIDATOR_CACHE } from './validate.ts';

const GOOD: unknown = JSON.parse(readFileSync(KNOWN_FAILURES_FILE, 'utf8'));
const BAD = { entries: [{ id: 'No Spaces Allowed', match: { colour: 'red' }, reason: 1 }], extra: true };

// Beside the real cache (below the node_modules that holds ajv, whose runtime the kept code requires).
const made: string[] = [];
function cacheDir(): string {
  mkdirSync(join(VALIDATOR_CACHE, '..'), { recursive: true });
  const dir = mkdtempSync(join(VALIDATOR_CACHE, '..', 'test-'));
  made.push(dir);
  return join(dir, 'cache');
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function judge(validate: ReturnType<typeof loadValidator>, data: unknown): { ok: boolean; errors: unknown } {
  const ok = validate(data) as boolean;
  return { ok, errors: validate.errors?.map((e) => [e.instancePath, e.keyword, e.params]) ?? null };
}

describe('schema validators kept between processes', () => {
  it('are written once, then read back, and judge data as the compiled one did', () => {
    const dir = cacheDir();
    const compiled = loadValidator('known-failures', dir);
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^known-failures-[0-9a-f]{16}\.cjs$/)]);
    const written = statSync(join(dir, files[0] as string));
    const readBack = loadValidator('known-failures', dir);
    // Read, not compiled and written again: the same file, untouched.
    expect(statSync(join(dir, files[0] as string))).toMatchObject({ ino: written.ino, mtimeMs: written.mtimeMs });
    expect(readBack).not.toBe(compiled);
    expect(judge(readBack, GOOD)).toEqual(judge(compiled, GOOD));
    expect(judge(readBack, GOOD).ok).toBe(true);
    const problems = judge(readBack, BAD);
    expect(problems.ok).toBe(false);
    expect(problems).toEqual(judge(compiled, BAD));
    expect((problems.errors as unknown[]).length).toBeGreaterThan(2); // every problem, not the first only
  });

  it('are compiled again when the kept code is broken, and kept anew', () => {
    const dir = cacheDir();
    loadValidator('peer', dir);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file as string), 'this is not javascript (');
    expect(judge(loadValidator('peer', dir), {}).ok).toBe(false);
    writeFileSync(join(dir, file as string), 'module.exports = 42;');
    expect(judge(loadValidator('peer', dir), {}).ok).toBe(false);
  });

  it('still validate where nothing can be kept', () => {
    // A cache folder that cannot be made (a file stands in its path): the same, as root too.
    const file = join(scratchDirectory('validators'), 'a-file');
    writeFileSync(file, '');
    const validate = loadValidator('known-failures', join(file, 'cache'));
    expect(judge(validate, GOOD).ok).toBe(true);
    expect(judge(validate, BAD).ok).toBe(false);
    expect(existsSync(join(file, 'cache'))).toBe(false);
  });
});
