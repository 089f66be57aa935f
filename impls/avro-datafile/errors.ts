// Errors of the Avro object container file reader and writer. Every refusal says what was wrong
// and where (byte offset in the file, block number), so that a bad file is diagnosed from the
// message alone.

/** Why a file was refused. */
export type DataFileErrorKind =
  | 'bad-magic'       // the first four bytes are not "Obj" 0x01
  | 'truncated'       // the file ends inside the header or inside a block
  | 'bad-sync'        // a block's trailing sync marker differs from the header's
  | 'unknown-codec'   // avro.codec names a codec this reader does not have
  | 'bad-header'      // metadata that is not valid (no schema, bad JSON, negative counts)
  | 'bad-block'       // a block whose count or size is negative or whose count lies
  | 'limit'           // a block, count or header beyond the reader's configured limits
  | 'codec'           // the codec could not decompress a block (or its checksum failed)
  | 'bad-data'        // record bytes that do not decode under the writer's schema
  | 'schema'          // the reader's schema cannot read the writer's schema
  | 'usage';          // a wrong call: appending to a closed writer, a value that does not fit the schema

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  readonly kind: DataFileErrorKind;
  constructor(kind: DataFileErrorKind, message: string, options?: { cause?: unknown }) {
    super(`${kind}: ${message}`, options);
    this.kind = kind;
  }
}
