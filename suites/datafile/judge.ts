// Judges one case: the records a reader got against the records the case expects, by the value
// rules of suites/avro/data/README.md (values read against the reader's schema).
import { readFileSync } from 'node:fs';
import { typeOf, type AvroType } from '../../impls/avro-datafile/index.ts';
import { avroEquals, fromNotation, show } from '../avro/notation.ts';
import type { BadFile } from './bad-files.ts';
import { BAD_SET, OURS, type Layout } from './plan.ts';
import { peerReadLines, type MatrixRun } from './run.ts';
import type { Json, ReadCase, SchemaFile } from './sets.ts';

export class CaseMismatch extends Error {
  override readonly name = 'CaseMismatch';
  readonly expected?: string;
  readonly actual?: string;
  constructor(message: string, expected?: string, actual?: string) {
    super(message);
    if (expected !== undefined) this.expected = expected;
    if (actual !== undefined) this.actual = actual;
  }
}

interface Got { values: unknown[]; error?: string; errorKind?: string }

function readerTypeFor(file: SchemaFile, read: ReadCase): AvroType {
  return typeOf(read.readerSchema ?? file.schema, 'reader');
}

/** What the reader produced for one read job, as values of the reader's type. */
function got(run: MatrixRun, reader: string, out: string, type: AvroType | undefined): Got {
  const participant = run.readsBy.get(reader);
  if (!participant) throw new Error(`reader ${reader} did not run`);
  if (reader === OURS) {
    const read = participant.reads.get(out);
    if (!read) throw new Error(`our reader has no result for ${out}`);
    return read;
  }
  const result = participant.results.get(out);
  if (result && !result.ok && result.error?.startsWith('no result reported')) throw new Error(`reader ${reader}: ${result.error}`);
  const { lines, error } = peerReadLines(out);
  const values = type ? lines.map((line, i) => {
    try {
      return fromNotation(type, line as Json);
    } catch (e) {
      throw new CaseMismatch(`reader ${reader}: record ${i} is not a value of the reader's schema: ${(e as Error).message}`, undefined, JSON.stringify(line));
    }
  }) : lines;
  return { values, ...(error !== undefined ? { error } : {}) };
}

function writtenOk(run: MatrixRun, writer: string, at: Layout, codec: string, file: SchemaFile): void {
  const out = at.written(writer, codec, file);
  const result = run.writes.get(writer)?.results.get(out);
  if (!result) throw new Error(`writer ${writer} has no result for ${out}`);
  if (!result.ok) throw new CaseMismatch(`writer ${writer} could not write ${file.set}/${file.id} with codec ${codec}: ${result.error ?? ''}`);
}

export function judgeRead(run: MatrixRun, writer: string, reader: string, codec: string, file: SchemaFile, read: ReadCase): void {
  writtenOk(run, writer, run.at, codec, file);
  const type = readerTypeFor(file, read);
  const out = run.at.readOut(reader, writer, codec, file.set, read.id);
  const actual = got(run, reader, out, type);
  if (actual.error !== undefined) {
    throw new CaseMismatch(`reader ${reader} refused the file ${writer} wrote (after ${actual.values.length} records): ${actual.error}`);
  }
  const expected = read.expected.map((value) => fromNotation(type, value));
  if (actual.values.length !== expected.length) {
    throw new CaseMismatch(`reader ${reader} got ${actual.values.length} records, expected ${expected.length}`, show(expected), show(actual.values));
  }
  expected.forEach((value, i) => {
    if (!avroEquals(type, value, actual.values[i])) {
      throw new CaseMismatch(`record ${i} differs (reader ${reader}, writer ${writer}, codec ${codec})`, show(value), show(actual.values[i]));
    }
  });
}

export function judgeBadFile(run: MatrixRun, reader: string, codec: string, bad: BadFile): void {
  const out = run.at.readOut(reader, 'bad', codec, BAD_SET, bad.id);
  const actual = got(run, reader, out, undefined);
  if (actual.error === undefined) {
    throw new CaseMismatch(`reader ${reader} accepted a bad file (${bad.what}) and returned ${actual.values.length} records without an error`,
      'an error', `${actual.values.length} records: ${show(actual.values.slice(0, 3))}${actual.values.length > 3 ? ' ...' : ''}; file ${hexHead(run.at.badFile(codec, bad.id))}`);
  }
  if (reader === OURS && actual.errorKind !== bad.kind) {
    throw new CaseMismatch(`our reader refused ${bad.id} with the wrong kind of error`, bad.kind, `${actual.errorKind ?? 'no kind'}: ${actual.error}`);
  }
}

function hexHead(path: string): string {
  const data = readFileSync(path);
  return `${data.length} bytes, first 48: ${data.subarray(0, 48).toString('hex')}`;
}
