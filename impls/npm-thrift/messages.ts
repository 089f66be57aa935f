// What the adapter's thread and the server's worker thread (server-worker.ts) say to each other.
import type { MessagePort } from 'node:worker_threads';
import type { ThriftServeEndpoint } from '../../harness/contract/thrift.ts';

export interface WorkerSetup {
  readonly endpoint: ThriftServeEndpoint;
  /** Post every connection's bytes (the adapter was given recorders). */
  readonly record: boolean;
  /** Int32 slot the adapter's thread sets to 1 (and notifies) once an answer is on `replies`. */
  readonly signal: SharedArrayBuffer;
  /** Answers to 'call' messages, read synchronously by the worker. */
  readonly replies: MessagePort;
}

export type WorkerMessage =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'call'; readonly service: string; readonly method: string; readonly args: Readonly<Record<string, unknown>> }
  | { readonly kind: 'bytes'; readonly connection: number; readonly peer: string; readonly direction: 'sent' | 'received'; readonly bytes: Uint8Array }
  | { readonly kind: 'log'; readonly line: string };

/** How a handler ended: its value, or what it threw (sync) or rejected with (async). */
export type HandlerReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly async: boolean; readonly error: HandlerError };

export type HandlerError =
  | { readonly kind: 'declared'; readonly type: string; readonly value: Readonly<Record<string, unknown>> }
  | { readonly kind: 'application'; readonly type: number; readonly message: string }
  | { readonly kind: 'other'; readonly name: string; readonly message: string };

export type HostMessage = { readonly kind: 'close' };
