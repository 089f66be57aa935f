// What the adapter's thread and the avro-js server's worker thread say to each other.
// Values cross by structured clone (BigInts survive, Buffers arrive as Uint8Arrays: revive()).
import type { HandshakeRecord } from '../../harness/contract/avro.ts';

export interface WorkerSetup {
  readonly address: string;
  readonly protocolText: string;
  readonly recording: boolean;
}

export type FromWorker =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'request'; readonly id: number; readonly message: string; readonly parameters: unknown }
  | { readonly kind: 'handshake'; readonly record: HandshakeRecord }
  | { readonly kind: 'connection'; readonly connection: number; readonly peer: string }
  | { readonly kind: 'bytes'; readonly connection: number; readonly direction: 'sent' | 'received'; readonly bytes: Uint8Array }
  | { readonly kind: 'log'; readonly line: string };

export type ToWorker =
  | { readonly kind: 'answer'; readonly id: number; readonly response: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly declared?: { readonly type: string; readonly value: unknown }; readonly message: string }
  | { readonly kind: 'close' };

/** Structured clone makes Buffers plain Uint8Arrays; the canonical values want Buffers. Keys stay own properties. */
export function revive(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, { value: revive((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
