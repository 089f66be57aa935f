import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextTag } from './node-image.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-node-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('contextTag', () => {
  it('names the image by the contents of its context: the same files give the same tag, in any order', async () => {
    const a = { name: 'Dockerfile', path: file('a', 'FROM debian:trixie-slim\n') };
    const b = { name: 'node', path: file('b', 'binary') };
    const tag = await contextTag([a, b]);
    expect(tag).toMatch(/^avro-thrift-conformance\/bench-node:[0-9a-f]{16}$/);
    expect(await contextTag([b, a])).toBe(tag);
  });

  it('changes when a file changes, or when a file is given another name', async () => {
    const a = { name: 'Dockerfile', path: file('c', 'FROM debian:trixie-slim\n') };
    const tag = await contextTag([a, { name: 'node', path: file('d', 'binary 24.9') }]);
    expect(await contextTag([a, { name: 'node', path: file('e', 'binary 24.10') }])).not.toBe(tag);
    expect(await contextTag([a, { name: 'nodejs', path: file('f', 'binary 24.9') }])).not.toBe(tag);
  });
});
