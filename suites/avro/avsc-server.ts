// Starts avsc 5's services server for a ts-server cell in a worker thread (avsc-server-worker.ts)
// and collects the requests its handlers saw, so our checks work the same as for our own server.
import { Worker } from 'node:worker_threads';
import type { Protocol } from '../../impls/avro/index.ts';
import type { Seen } from './our-server.ts';

export interface AvscServerHandle {
  readonly port: number;
  /** The error that ended the server's worker, if it crashed. */
  crash(): string | undefined;
  close(): Promise<void>;
}

/** Structured clone turns Buffers into plain Uint8Arrays; our comparisons want Buffers back. */
function revive(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: revive(inner), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

export function startAvscServer(address: string, protocol: Protocol, seen: Seen[]): Promise<AvscServerHandle> {
  const worker = new Worker(new URL('./avsc-server-worker.ts', import.meta.url), { workerData: { address, protocolText: protocol.text } });
  let crashed: string | undefined;
  return new Promise((resolve, reject) => {
    worker.on('message', (message: { kind: string; port?: number; message?: string; parameters?: unknown }) => {
      if (message.kind === 'ready') {
        resolve({
          port: message.port ?? 0,
          crash: () => crashed,
          close: async () => {
            worker.postMessage('close');
            await new Promise((done) => setTimeout(done, 200));
            await worker.terminate();
          },
        });
      } else if (message.kind === 'request') {
        seen.push({ message: message.message ?? '', parameters: revive(message.parameters) as Record<string, unknown> });
      }
    });
    worker.on('error', (error) => {
      crashed = `${error.name}: ${error.message}`;
      reject(error);
    });
  });
}
