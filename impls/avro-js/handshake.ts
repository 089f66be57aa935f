// avro-js's 'handshake' events (emitter: when a response arrives; listener: before it answers)
// as the contract's HandshakeRecord. avro-js keeps the handshake's unions wrapped.
import type { HandshakeRecord } from '../../harness/contract/avro.ts';
import type { LibraryHandshakeRequest, LibraryHandshakeResponse } from './library.ts';

function meta(value: { readonly map: Readonly<Record<string, Buffer>> } | null | undefined): Readonly<Record<string, Uint8Array>> | null {
  if (!value) return null;
  const out: Record<string, Uint8Array> = {};
  for (const key of Object.keys(value.map)) {
    Object.defineProperty(out, key, { value: Buffer.from(value.map[key] ?? []), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function handshakeRecord(request: LibraryHandshakeRequest, response: LibraryHandshakeResponse): HandshakeRecord {
  const serverHash = response.serverHash?.['org.apache.avro.ipc.MD5'];
  return {
    request: {
      clientHash: Buffer.from(request.clientHash),
      clientProtocol: request.clientProtocol?.string ?? null,
      serverHash: Buffer.from(request.serverHash),
      meta: meta(request.meta),
    },
    response: {
      match: response.match,
      serverProtocol: response.serverProtocol?.string ?? null,
      serverHash: serverHash ? Buffer.from(serverHash) : null,
      meta: meta(response.meta),
    },
  };
}
