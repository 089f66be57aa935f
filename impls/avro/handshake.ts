// The Avro handshake (spec "Handshake"), as records in org.apache.avro.ipc.
//
// Client: sends HandshakeRequest{clientHash, clientProtocol?, serverHash, meta} before a call.
// Server: answers HandshakeResponse{match, serverProtocol?, serverHash?, meta}:
//   BOTH   - it knows the client's protocol and the client guessed its hash right;
//   CLIENT - it knows the client's protocol, but the client's server hash was stale: here is mine;
//   NONE   - it does not know the client's protocol: resend with clientProtocol (no call is made).
import type { AvroType } from './types.ts';
import { newRegistry, parseType } from './types.ts';

const registry = newRegistry();
const IPC = { namespace: 'org.apache.avro.ipc', registry };

export const MD5_TYPE = parseType({ type: 'fixed', name: 'MD5', size: 16 }, IPC);
export const META_TYPE = parseType({ type: 'map', values: 'bytes' }, IPC);

export const HANDSHAKE_REQUEST_TYPE: AvroType = parseType({
  type: 'record', name: 'HandshakeRequest', fields: [
    { name: 'clientHash', type: 'MD5' },
    { name: 'clientProtocol', type: ['null', 'string'] },
    { name: 'serverHash', type: 'MD5' },
    { name: 'meta', type: ['null', { type: 'map', values: 'bytes' }] },
  ],
}, IPC);

export const HANDSHAKE_RESPONSE_TYPE: AvroType = parseType({
  type: 'record', name: 'HandshakeResponse', fields: [
    { name: 'match', type: { type: 'enum', name: 'HandshakeMatch', symbols: ['BOTH', 'CLIENT', 'NONE'] } },
    { name: 'serverProtocol', type: ['null', 'string'] },
    { name: 'serverHash', type: ['null', 'MD5'] },
    { name: 'meta', type: ['null', { type: 'map', values: 'bytes' }] },
  ],
}, IPC);

export type HandshakeMatch = 'BOTH' | 'CLIENT' | 'NONE';
export type Meta = Record<string, Buffer>;

export interface HandshakeRequest {
  readonly clientHash: Buffer;
  readonly clientProtocol: string | null;
  readonly serverHash: Buffer;
  readonly meta: Meta | null;
}

export interface HandshakeResponse {
  readonly match: HandshakeMatch;
  readonly serverProtocol: string | null;
  readonly serverHash: Buffer | null;
  readonly meta: Meta | null;
}

// On the wire the optional fields are unions; in our API they are plain values or null.
type Wrapped<T> = { [K in keyof T]: T[K] extends infer V | null ? (null extends T[K] ? { [branch: string]: V } | null : T[K]) : T[K] };

function unwrap<V>(value: { [branch: string]: V } | null): V | null {
  if (value === null) return null;
  const branches = Object.values(value);
  return branches[0] ?? null;
}

export function encodeHandshakeRequest(request: HandshakeRequest): Buffer {
  const wire: Wrapped<HandshakeRequest> = {
    clientHash: request.clientHash,
    clientProtocol: request.clientProtocol === null ? null : { string: request.clientProtocol },
    serverHash: request.serverHash,
    meta: request.meta === null ? null : { map: request.meta },
  };
  return HANDSHAKE_REQUEST_TYPE.toBuffer(wire);
}

export function encodeHandshakeResponse(response: HandshakeResponse): Buffer {
  const wire: Wrapped<HandshakeResponse> = {
    match: response.match,
    serverProtocol: response.serverProtocol === null ? null : { string: response.serverProtocol },
    serverHash: response.serverHash === null ? null : { 'org.apache.avro.ipc.MD5': response.serverHash },
    meta: response.meta === null ? null : { map: response.meta },
  };
  return HANDSHAKE_RESPONSE_TYPE.toBuffer(wire);
}

export function toHandshakeRequest(wire: Wrapped<HandshakeRequest>): HandshakeRequest {
  return { clientHash: wire.clientHash, clientProtocol: unwrap(wire.clientProtocol), serverHash: wire.serverHash, meta: unwrap(wire.meta) };
}

export function toHandshakeResponse(wire: Wrapped<HandshakeResponse>): HandshakeResponse {
  return { match: wire.match, serverProtocol: unwrap(wire.serverProtocol), serverHash: unwrap(wire.serverHash), meta: unwrap(wire.meta) };
}

export type WireHandshakeRequest = Wrapped<HandshakeRequest>;
export type WireHandshakeResponse = Wrapped<HandshakeResponse>;
