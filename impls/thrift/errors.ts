// The errors of our Thrift implementation. Every message says what was wrong and where, so that a
// closed connection or a failed call can be understood from the log line alone.

/** TApplicationException type codes (the same numbers in every Thrift implementation). */
export const ApplicationErrorType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
} as const;

export type ApplicationErrorTypeName = keyof typeof ApplicationErrorType;

const TYPE_NAMES = new Map<number, string>(Object.entries(ApplicationErrorType).map(([name, code]) => [code, name]));

/** The name of a TApplicationException type code ("UNKNOWN_METHOD"), or the number as text. */
export function applicationErrorTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? String(type);
}

/**
 * Thrift's TApplicationException: what a server answers when a call fails outside the IDL's declared
 * exceptions, and what a client raises for a broken answer. Handlers may throw it: it reaches the
 * client with its type and message.
 */
export class TApplicationException extends Error {
  override readonly name = 'TApplicationException';
  readonly type: number;

  constructor(type: number, message = '') {
    super(message);
    this.type = type;
  }

  override toString(): string {
    return `TApplicationException ${applicationErrorTypeName(this.type)}: ${this.message}`;
  }
}

/**
 * An exception the IDL declares for a method (`throws (1: ConformanceError e)`): `type` is the
 * exception struct's name, `value` its fields. Handlers throw it; clients receive it.
 */
export class DeclaredException extends Error {
  override readonly name = 'DeclaredException';
  readonly type: string;
  readonly value: Record<string, unknown>;

  constructor(type: string, value: Record<string, unknown>) {
    super(`${type} ${describeFields(value)}`);
    this.type = type;
    this.value = value;
  }
}

function describeFields(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '{...}';
  }
}

/** Bytes that break the protocol or a limit: the message (and usually the connection) is refused. */
export class ProtocolError extends Error {
  override readonly name: string = 'ProtocolError';
}

/**
 * Bytes that do not fit: a message shorter than what it declares, or a declared size over a
 * limit. After one of these the connection is closed (the peer is broken or hostile).
 */
export class SizeError extends ProtocolError {
  override readonly name = 'SizeError';
}

/** A value that cannot be written with its IDL type (wrong JS type, out of range, required field missing). */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** The connection failed, closed, or timed out. */
export class TransportError extends Error {
  override readonly name: string = 'TransportError';
}

/** A call got no answer within its timeout (the connection is closed). */
export class ClientTimeout extends TransportError {
  override readonly name = 'ClientTimeout';
}

/** Adds where an error happened ("Drawing.shapes: Shape.name: ...") while it travels up through a value. */
export function withContext(error: unknown, where: string): Error {
  if (error instanceof ValueError) return new ValueError(`${where}: ${error.message}`);
  if (error instanceof SizeError) return new SizeError(`${where}: ${error.message}`);
  if (error instanceof ProtocolError) return new ProtocolError(`${where}: ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

export function describe(error: unknown): string {
  if (error instanceof TApplicationException) return error.toString();
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
