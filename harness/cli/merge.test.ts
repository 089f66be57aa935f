import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingShards, shardSelection } from './run.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function blobFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'merge-test-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const whole = (n: number): string[] => Array.from({ length: n }, (_, i) => [`shard-${i + 1}-of-${n}.json`, `shard-${i + 1}-of-${n}.run.json`]).flat();

describe('a blob folder to merge', () => {
  it('is whole when every shard left its blob and its options', () => {
    expect(missingShards([...whole(3), 'shard-2-of-3.timings.ndjson'])).toEqual([]);
  });

  it('names the blob of a shard whose job died before writing it', () => {
    expect(missingShards(whole(3).filter((f) => f !== 'shard-2-of-3.json'))).toEqual(['shard-2-of-3.json']);
  });

  it('names a whole shard that is absent, even the last one', () => {
    expect(missingShards(whole(3).filter((f) => !f.startsWith('shard-3-')))).toEqual(['shard-3-of-3.json', 'shard-3-of-3.run.json']);
  });

  it('refuses shards of two different splits', () => {
    expect(missingShards([...whole(2), 'shard-1-of-3.json'])[0]).toContain('found shards of 2 and 3');
  });

  it('fails the merge rather than judge the shards that came', () => {
    const options = '{"CONFORMANCE_VERSIONS":"all"}\n';
    const folder = blobFolder({ 'shard-1-of-2.json': '{}', 'shard-1-of-2.run.json': options, 'shard-2-of-2.run.json': options });
    expect(() => shardSelection(folder)).toThrow(/lacks shard-2-of-2\.json/);
    writeFileSync(join(folder, 'shard-2-of-2.json'), '{}');
    expect(shardSelection(folder)).toEqual({ CONFORMANCE_VERSIONS: 'all' });
  });
});
