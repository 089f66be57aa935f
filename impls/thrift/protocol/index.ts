// The three protocols by name.
import type { Limits } from '../limits.ts';
import { BinaryReader, BinaryWriter } from './binary.ts';
import { CompactReader, CompactWriter } from './compact.ts';
import { JsonReader, JsonWriter } from './json.ts';
import type { ProtocolReader, ProtocolWriter } from './protocol.ts';

export type ProtocolName = 'binary' | 'compact' | 'json';

export const PROTOCOL_NAMES: readonly ProtocolName[] = ['binary', 'compact', 'json'];

export function isProtocolName(name: string): name is ProtocolName {
  return (PROTOCOL_NAMES as readonly string[]).includes(name);
}

export function newWriter(protocol: ProtocolName): ProtocolWriter {
  switch (protocol) {
    case 'binary': return new BinaryWriter();
    case 'compact': return new CompactWriter();
    case 'json': return new JsonWriter();
  }
}

export interface ReaderOptions {
  /** Binary only: refuse the old non-strict message header. */
  readonly strictRead?: boolean;
}

export function newReader(protocol: ProtocolName, message: Buffer, limits: Limits, options: ReaderOptions = {}): ProtocolReader {
  switch (protocol) {
    case 'binary': return new BinaryReader(message, limits, options.strictRead ?? false);
    case 'compact': return new CompactReader(message, limits);
    case 'json': return new JsonReader(message, limits);
  }
}
