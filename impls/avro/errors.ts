// Errors a caller of the Avro client sees.

/** The server raised one of the message's declared error types. */
export class AvroRemoteError extends Error {
  override readonly name = 'AvroRemoteError';
  readonly errorType: string;
  readonly value: Record<string, unknown>;

  constructor(errorType: string, value: Record<string, unknown>) {
    super(`remote raised ${errorType}: ${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    this.errorType = errorType;
    this.value = value;
  }
}

/** The server answered with a system error (the "string" branch of the error union). */
export class AvroSystemError extends Error {
  override readonly name = 'AvroSystemError';
}

/** The exchange itself failed: connection closed, timeout, bytes that do not decode. */
export class AvroTransportError extends Error {
  override readonly name = 'AvroTransportError';
}

/** Handlers throw this to raise a declared error: the type's full name and the record's fields. */
export function raise(errorType: string, value: Record<string, unknown>): AvroRemoteError {
  return new AvroRemoteError(errorType, value);
}
