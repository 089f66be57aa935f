// The matrix of the data-file suite and the files it runs on: participants (writers and readers),
// codecs, schema sets, and the work directory layout under reports/work/datafile/<run>/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseCoordinates, Direction } from '../../harness/matrix/axes.ts';
import { defaultVersion, peerByFolder, releaseOf, REPO_ROOT, type PeerRelease } from '../../harness/docker/peers.ts';
import { BAD_FILES } from './bad-files.ts';
import type { Job } from './jobs.ts';
import { BLOCK_SIZE, type SchemaFile } from './sets.ts';

export const OURS = 'ours';
/** Participant id -> the peer folder that provides its `datafile` role (ours runs in process). */
export const PEER_FOLDERS: Readonly<Record<string, string>> = { python: 'python-avro', java: 'java-avro' };

/** The release of a reference participant the data-file matrix uses: its peer's default release. */
export function participantRelease(participant: string): PeerRelease {
  const peer = peerByFolder(PEER_FOLDERS[participant] ?? participant);
  return releaseOf(peer, defaultVersion(peer));
}
export const CODECS = ['null', 'deflate', 'snappy', 'zstandard'] as const;
export const BAD_SET = 'bad-file';

export function workRoot(runId: string): string {
  return join(REPO_ROOT, 'reports', 'work', 'datafile', runId);
}

export function direction(writer: string, reader: string): Direction {
  if (writer === OURS && reader === OURS) return 'ts-only';
  if (writer === OURS) return 'ts-writes';
  if (reader === OURS) return 'ts-reads';
  return 'references';
}

/** Coordinates of one data-file case (see suites/datafile/data/README.md for the axes). */
export function coordinates(writer: string, reader: string, codec: string, set: string, caseId: string): CaseCoordinates {
  const peers = [...new Set([writer, reader].filter((p) => p !== OURS))];
  return {
    family: 'avro-datafile', direction: direction(writer, reader), client: writer, server: reader,
    peer: peers.length === 0 ? OURS : peers.join('+'),
    version: peers.map((p) => participantRelease(p).version).join('+'),
    socket: 'file',
    implementation: writer === OURS || reader === OURS ? OURS : 'none',
    transport: codec, protocol: set, serverKind: set === BAD_SET ? 'bad-file' : `block-size=${BLOCK_SIZE[set] ?? 'default'}`,
    case: caseId,
  };
}

export interface Layout {
  readonly root: string;
  input(file: SchemaFile, name: string): string;
  written(writer: string, codec: string, file: SchemaFile): string;
  readerSchema(file: SchemaFile, readId: string): string;
  readOut(reader: string, writer: string, codec: string, set: string, readId: string): string;
  badFile(codec: string, id: string): string;
  badDir(codec: string): string;
}

export function layout(root: string): Layout {
  return {
    root,
    input: (file, name) => join(root, 'inputs', file.set, file.id, name),
    readerSchema: (file, readId) => join(root, 'inputs', file.set, file.id, `${readId}.avsc`),
    written: (writer, codec, file) => join(root, 'files', writer, codec, file.set, `${file.id}.avro`),
    readOut: (reader, writer, codec, set, readId) => join(root, 'reads', reader, writer, codec, set, `${readId}.jsonl`),
    badDir: (codec) => join(root, 'files', 'bad', codec),
    badFile: (codec, id) => join(root, 'files', 'bad', codec, `${id}.avro`),
  };
}

function ensureParent(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
}

/** Writes the schemas, records and reader schemas every participant reads its jobs from. */
export function stageInputs(files: readonly SchemaFile[], at: Layout): void {
  for (const file of files) {
    const put = (path: string, value: unknown): void => { ensureParent(path); writeFileSync(path, JSON.stringify(value)); };
    put(at.input(file, 'schema.avsc'), file.schema);
    put(at.input(file, 'records.json'), file.records);
    if (file.appended) put(at.input(file, 'appended.json'), file.appended);
    for (const read of file.reads) if (read.readerSchema !== undefined) put(at.readerSchema(file, read.id), read.readerSchema);
  }
}

export function writeJobs(writer: string, files: readonly SchemaFile[], at: Layout): Job[] {
  const jobs: Job[] = [];
  for (const codec of CODECS) {
    for (const file of files) {
      const out = at.written(writer, codec, file);
      ensureParent(out);
      const blockSize = BLOCK_SIZE[file.set];
      jobs.push({ op: 'write', schema: at.input(file, 'schema.avsc'), codec, records: at.input(file, 'records.json'), out, ...(blockSize ? { blockSize } : {}) });
      if (file.appended) jobs.push({ op: 'append', records: at.input(file, 'appended.json'), out });
    }
  }
  return jobs;
}

export function readJobs(reader: string, writers: readonly string[], files: readonly SchemaFile[], at: Layout): Job[] {
  const jobs: Job[] = [];
  for (const writer of writers) {
    for (const codec of CODECS) {
      for (const file of files) {
        for (const read of file.reads) {
          const out = at.readOut(reader, writer, codec, file.set, read.id);
          ensureParent(out);
          jobs.push({ op: 'read', in: at.written(writer, codec, file), out, ...(read.readerSchema !== undefined ? { readerSchema: at.readerSchema(file, read.id) } : {}) });
        }
      }
    }
  }
  for (const codec of CODECS) {
    for (const bad of BAD_FILES) {
      const out = at.readOut(reader, 'bad', codec, BAD_SET, bad.id);
      ensureParent(out);
      jobs.push({ op: 'read', in: at.badFile(codec, bad.id), out });
    }
  }
  return jobs;
}
