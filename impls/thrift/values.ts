// Helpers of the value model (see index.ts): uuids as canonical strings, and WrittenAs for schema
// evolution.
import { ValueError } from './errors.ts';

/**
 * A struct value to be written with another struct's definition: where the IDL declares `Evolving`,
 * `new WrittenAs('EvolvingV2', {...})` goes on the wire as an EvolvingV2 (the reader skips what it
 * does not know). Clients use it in arguments; handlers return it.
 */
export class WrittenAs {
  readonly structName: string;
  readonly value: Record<string, unknown>;

  constructor(structName: string, value: Record<string, unknown>) {
    this.structName = structName;
    this.value = value;
  }
}

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The 16 bytes of a uuid in 8-4-4-4-12 form (either case). Any 16 bytes are valid: no RFC 4122 check. */
export function parseUuid(text: string): Buffer {
  if (typeof text !== 'string' || !UUID_PATTERN.test(text)) {
    throw new ValueError(`uuid must be a string in 8-4-4-4-12 hex form, got ${typeof text === 'string' ? JSON.stringify(text.slice(0, 60)) : typeof text}`);
  }
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

/** The canonical lowercase 8-4-4-4-12 form of 16 bytes at offset. */
export function formatUuid(bytes: Buffer, offset = 0): string {
  const hex = bytes.toString('hex', offset, offset + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
