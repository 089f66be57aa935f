// Avro object container files on avsc types: a writer (codecs null, deflate, snappy, zstandard;
// configurable block size; appending) and a bounded reader (reader schemas, limits, clear errors).
export { DataFileWriter, DEFAULT_BLOCK_SIZE, type WriterOptions } from './writer.ts';
export { DataFileReader, DEFAULT_LIMITS, readAll, type ReaderLimits, type ReaderOptions } from './reader.ts';
export { DataFileError, type DataFileErrorKind } from './errors.ts';
export { CODECS, ZSTD_AVAILABLE, codecNamed, type Codec } from './codecs.ts';
export { MAGIC, SYNC_SIZE, type Header } from './header.ts';
export { typeOf, type AvroType } from './schema.ts';
