// Writer and reader types for data files, on impls/avro's avsc setup (BigInt longs, wrapped unions,
// decimals, maps safe for "__proto__" keys), and the resolver between them.
import { newRegistry, parseType, type AvroType } from '../avro/types.ts';
import { DataFileError } from './errors.ts';

export type { AvroType };

export function typeOf(schema: unknown, role: 'writer' | 'reader'): AvroType {
  try {
    return parseType(schema, { registry: newRegistry() });
  } catch (error) {
    throw new DataFileError(role === 'writer' ? 'bad-header' : 'schema', `the ${role}'s schema does not parse: ${(error as Error).message}`, { cause: error });
  }
}

/** What reading needs: the type values come out as, and how to get there from the writer's bytes. */
export interface ReadPlan {
  readonly writerType: AvroType;
  readonly readerType: AvroType;
  /** undefined when the reader reads with the writer's schema. */
  readonly resolver: unknown;
}

export function readPlan(writerSchema: unknown, readerSchema: unknown): ReadPlan {
  const writerType = typeOf(writerSchema, 'writer');
  if (readerSchema === undefined) return { writerType, readerType: writerType, resolver: undefined };
  const readerType = typeOf(readerSchema, 'reader');
  try {
    return { writerType, readerType, resolver: readerType.createResolver(writerType) };
  } catch (error) {
    throw new DataFileError('schema', `the reader's schema cannot read the writer's: ${(error as Error).message}`, { cause: error });
  }
}
