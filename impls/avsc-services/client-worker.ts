// avsc 5's services client in a worker thread (see adapter.ts for why): the host thread sends
// calls, the worker makes them with avsc and sends back each outcome and every byte avsc's
// channel wrote or read (the host thread's recorder keeps them). A worker serves one connection at
// a time and, once that one is closed cleanly, the next one the host gives it: every message
// carries its connection's number, so nothing of a closed connection reaches the next.
import { parentPort } from 'node:worker_threads';
import { AvroRemoteError, AvroSystemError } from '../avro/errors.ts';
import type { ClientHostMessage, ClientWorkerMessage } from './adapter.ts';
import { connectAvsc, type AvscCaller } from './index.ts';
import { revive } from './revive.ts';

const post = (message: ClientWorkerMessage): void => parentPort?.postMessage(message);
let current: { readonly connection: number; readonly client: AvscCaller } | undefined;

parentPort?.on('message', (message: ClientHostMessage) => {
  switch (message.kind) {
    case 'connect': {
      const { connection, address, protocolText, timeoutMs, recording } = message;
      const recorder = { sent: (bytes: Buffer) => post({ kind: 'wire', connection, sent: true, bytes }), received: (bytes: Buffer) => post({ kind: 'wire', connection, sent: false, bytes }) };
      // Left unhandled on purpose: a connection avsc cannot open ends the worker (the host reports
      // the crash), as it did when each connection had a worker of its own.
      void connectAvsc(address, JSON.parse(protocolText) as object, { timeoutMs, ...(recording ? { recorder } : {}) }).then((client) => {
        current = { connection, client };
        post({ kind: 'ready', connection });
      });
      return;
    }
    case 'close': {
      const closing = current;
      current = undefined;
      void (closing?.client.close() ?? Promise.resolve()).catch(() => undefined).then(() => post({ kind: 'closed', connection: message.connection }));
      return;
    }
    case 'call': {
      const { connection, id } = message;
      if (current?.connection !== connection) return;
      current.client.call(message.message, revive(message.parameters) as Record<string, unknown>).then(
        (response) => post({ kind: 'result', connection, id, response }),
        (error: unknown) => post({
          kind: 'failure', connection, id, message: error instanceof Error ? error.message : String(error),
          as: error instanceof AvroRemoteError ? { declared: error.errorType, value: error.value } : error instanceof AvroSystemError ? 'system' : 'transport',
        }),
      );
    }
  }
});
