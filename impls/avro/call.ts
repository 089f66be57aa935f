// The parts of a call on the wire, after the handshake (spec "Call Format"):
//   request:  meta (map<bytes>), message name (string), parameters (the request record)
//   response: meta (map<bytes>), error flag (boolean), then the response or the error union
import type { Meta } from './handshake.ts';
import { META_TYPE } from './handshake.ts';
import { newRegistry, parseType } from './types.ts';

const registry = newRegistry();
export const STRING_TYPE = parseType('string', { registry });
export const BOOLEAN_TYPE = parseType('boolean', { registry });
export { META_TYPE };

export function encodeCallHeader(meta: Meta, messageName: string): Buffer {
  return Buffer.concat([META_TYPE.toBuffer(meta), STRING_TYPE.toBuffer(messageName)]);
}

export function encodeResponseHeader(meta: Meta, isError: boolean): Buffer {
  return Buffer.concat([META_TYPE.toBuffer(meta), BOOLEAN_TYPE.toBuffer(isError)]);
}

// The response headers our responder sends (no response meta): encoded once. Never written to;
// transports only read the buffers they are given.
export const RESPONSE_OK_HEADER = encodeResponseHeader({}, false);
export const RESPONSE_ERROR_HEADER = encodeResponseHeader({}, true);
