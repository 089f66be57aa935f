// `conformance list` end to end, as a person runs it: node harness/cli/main.ts list <filters>.
// It must start nothing: here it runs without Docker (no docker binary on PATH, an engine address
// that does not exist) and must leave the reports folder it is pointed at empty.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/peers.ts';
import type { ListedCell } from './catalogue.ts';
import { scratchDirectory } from '../run/scratch.ts';

async function list(...args: string[]): Promise<{ exitCode: number | undefined; stdout: string; reports: string[] }> {
  const reports = scratchDirectory('conformance-cli-list-');
  const run = await execa(process.execPath, [join(REPO_ROOT, 'harness', 'cli', 'main.ts'), 'list', ...args], {
    cwd: REPO_ROOT, reject: false, extendEnv: false, timeout: 60_000,
    env: { PATH: dirname(process.execPath), DOCKER_HOST: 'unix:///nonexistent/docker.sock', CONFORMANCE_REPORTS_DIR: reports },
  });
  return { exitCode: run.exitCode, stdout: run.stdout, reports: readdirSync(reports) };
}

describe('conformance list', { timeout: 60_000 }, () => {
  it('--family avro-datafile lists the data-file cells and their cases, and starts nothing', async () => {
    const { exitCode, stdout, reports } = await list('--family', 'avro-datafile');
    expect(exitCode).toBe(0);
    expect(reports).toEqual([]);
    const lines = stdout.trimEnd().split('\n');
    // Writer x reader (ours, python, java) x 4 codecs x 3 schema sets, and the bad files against each reader.
    expect(lines.at(-1)).toMatch(/^120 cell\(s\), \d+ case\(s\)$/);
    expect(lines).toContain('ts-writes | avro-datafile | ours -> java@1.12.2 | zstandard | resolution | file | block-size=60  (8 cases)');
    expect(lines).toContain('references | avro-datafile | python@1.12.2 -> java@1.12.2 | null | user | file | block-size=40  (2 cases)');
    expect(lines).toContain('ts-only | avro-datafile | ours -> ours | deflate | bad-file | file | bad-file  (6 cases)');
    expect(lines).toContain('    users-appended  [read]');
    expect(lines.filter((l) => !l.startsWith(' ') && !/^\d+ cell/.test(l)).every((l) => l.includes(' | avro-datafile | '))).toBe(true);
  });

  it('narrows the data-file matrix by the other axes and the case glob, as the run does', async () => {
    const { exitCode, stdout } = await list('--family', 'avro-datafile', '--peer', 'python', '--direction', 'ts-reads',
      '--transport', 'snappy', '--case', 'read-as-*', '--json');
    expect(exitCode).toBe(0);
    const cells = JSON.parse(stdout) as ListedCell[];
    expect(cells.map((c) => `${c.cell.client} -> ${c.cell.server} | ${c.cell.transport} | ${c.cell.protocol}`)).toEqual(['python -> ours | snappy | resolution']);
    expect(cells[0]?.cases.map((c) => c.id)).toEqual(['read-as-writer', 'read-as-added', 'read-as-removed', 'read-as-promoted-numbers',
      'read-as-promoted-string-to-bytes', 'read-as-aliased', 'read-as-union-same', 'read-as-union-reordered']);
  });

  it('keeps the RPC families apart from the data files, and says so when a filter selects nothing', async () => {
    const avro = await list('--family', 'avro', '--peer', 'python', '--transport', 'http', '--protocol', 'mail');
    expect(avro.exitCode).toBe(0);
    expect(avro.stdout).not.toContain('avro-datafile');
    const unknown = await list('--family', 'avro-datafile', '--transport', 'lzma');
    expect(unknown.exitCode).toBe(2); // not a value of any cell: a usage error, before anything runs
    const none = await list('--family', 'avro-datafile', '--case', 'no-such-case');
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toBe('0 cell(s), 0 case(s)');
  });
});
