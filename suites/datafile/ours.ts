// Our side of the data-file matrix: runs the same jobs as the peers, in process, with
// impls/avro-datafile. Reads keep the decoded values (and the error, with its kind) in memory.
import { readFileSync } from 'node:fs';
import { DataFileError, DataFileReader, DataFileWriter, type AvroType } from '../../impls/avro-datafile/index.ts';
import { fromNotation } from '../avro/notation.ts';
import type { Job, JobResult } from './jobs.ts';
import type { Json } from './sets.ts';

export interface OurRead {
  readonly values: unknown[];
  readonly error?: string;
  readonly errorKind?: string;
}

function jsonFile(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function appendAll(writer: DataFileWriter, type: AvroType, recordsPath: string, repeat = 1): number {
  const records = (jsonFile(recordsPath) as Json[]).map((record) => fromNotation(type, record));
  for (let r = 0; r < repeat; r++) for (const record of records) writer.append(record);
  writer.close();
  return records.length * repeat;
}

function runOne(job: Job, reads: Map<string, OurRead>): number {
  switch (job.op) {
    case 'write': {
      const writer = DataFileWriter.create(job.out, jsonFile(job.schema), { codec: job.codec, blockSize: job.blockSize, metadata: job.meta });
      return appendAll(writer, writer.type, job.records, job.repeat);
    }
    case 'append': {
      const writer = DataFileWriter.appendTo(job.out);
      return appendAll(writer, writer.type, job.records);
    }
    case 'read': {
      const values: unknown[] = [];
      try {
        const reader = DataFileReader.open(job.in, job.readerSchema ? { readerSchema: jsonFile(job.readerSchema) } : {});
        try {
          if (job.discard) {
            let count = 0;
            for (const _ of reader.records()) count++;
            return count;
          }
          for (const value of reader.records()) values.push(value);
        } finally {
          reader.close();
        }
        reads.set(job.out, { values });
      } catch (error) {
        const kind = error instanceof DataFileError ? error.kind : undefined;
        reads.set(job.out, { values, error: (error as Error).message, ...(kind ? { errorKind: kind } : {}) });
        throw error;
      }
      return values.length;
    }
  }
}

export function runOurJobs(jobs: readonly Job[]): { results: JobResult[]; reads: Map<string, OurRead> } {
  const reads = new Map<string, OurRead>();
  const results = jobs.map((job): JobResult => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    // Wall and CPU time over the same interval; the CPU time is the whole process's (user + system,
    // every thread: V8's compiler and collector threads, libuv's pool), as the peers report theirs.
    const elapsed = (): { seconds: number; cpuSeconds: number } => {
      const cpu = process.cpuUsage(cpuStarted);
      return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    };
    try {
      const records = runOne(job, reads);
      return { ok: true, error: null, records, ...elapsed() };
    } catch (error) {
      return { ok: false, error: (error as Error).message, records: 0, ...elapsed() };
    }
  });
  return { results, reads };
}
