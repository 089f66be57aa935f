// The schema sets of the data-file matrix (suites/datafile/data/README.md): each set is a list of
// files to write, and for each file the reads to make (with the writer's schema or a reader's)
// and the records every reader must get back, in the case notation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import { catalogueFiles } from './catalogue.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ReadCase {
  /** The test case id (last axis of the name). */
  readonly id: string;
  /** Reader's schema; absent: read with the writer's. */
  readonly readerSchema?: Json;
  readonly expected: readonly Json[];
}

export interface SchemaFile {
  readonly set: string;
  /** File name stem, unique in its set. */
  readonly id: string;
  readonly schema: Json;
  readonly records: readonly Json[];
  /** Records added afterwards by reopening the file (append). */
  readonly appended?: readonly Json[];
  readonly reads: readonly ReadCase[];
}

export const DATA_DIR = join(REPO_ROOT, 'suites', 'datafile', 'data');
/** Block size the writers are given (bytes of encoded records): small, so files have many blocks. */
export const BLOCK_SIZE: Readonly<Record<string, number>> = { user: 40, catalogue: 1000, resolution: 60 };

function json(...path: string[]): Json {
  return JSON.parse(readFileSync(join(DATA_DIR, ...path), 'utf8')) as Json;
}

function userFiles(): SchemaFile[] {
  const schema = json('user', 'schema.avsc');
  const records = json('user', 'records.json') as Json[];
  const appended = json('user', 'appended.json') as Json[];
  const expected = json('user', 'expected.json') as { records: Json[]; appended: Json[] };
  return [
    { set: 'user', id: 'users', schema, records, reads: [{ id: 'users', expected: expected.records }] },
    { set: 'user', id: 'users-appended', schema, records, appended, reads: [{ id: 'users-appended', expected: expected.appended }] },
  ];
}

const READERS = ['added', 'removed', 'promoted-numbers', 'promoted-string-to-bytes', 'aliased', 'union-same', 'union-reordered'] as const;

function resolutionFiles(): SchemaFile[] {
  const expected = json('resolution', 'expected.json') as Record<string, Json[]>;
  return [{
    set: 'resolution', id: 'rows', schema: json('resolution', 'writer.avsc'), records: json('resolution', 'records.json') as Json[],
    reads: [
      { id: 'read-as-writer', expected: expected['writer'] ?? [] },
      ...READERS.map((name) => ({ id: `read-as-${name}`, readerSchema: json('resolution', 'readers', `${name}.avsc`), expected: expected[name] ?? [] })),
    ],
  }];
}

export function schemaFiles(): SchemaFile[] {
  return [...userFiles(), ...catalogueFiles(), ...resolutionFiles()];
}
