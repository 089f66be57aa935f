// avro-js's client side behind the contract, used as its documentation shows (doc/API.md,
// "IPC & RPC"): protocol.createEmitter with a stream factory for HTTP (stateless: one POST per
// call, a handshake in each) or with a duplex stream for a TCP socket (stateful: avro-js's
// StatefulEmitter, standard framing), then protocol.emit(name, request, emitter, cb).
//
// What avro-js does not do and a user must: bound a call in time (it has no timeout), and listen
// for errors (an HTTP request's, a socket's, the emitter's 'error' event). Such an error fails the
// calls it concerns; nothing is retried or repaired here. A call also fails as soon as a complete
// response went by without any reaction from avro-js (liveness.ts), rather than at its timeout.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { AvroClientHandle, AvroClientOptions, AvroTarget, HandshakeRecord } from '../../harness/contract/avro.ts';
import { recordStream } from '../wire/recorder.ts';
import { fromLibraryError } from './errors.ts';
import { handshakeRecord } from './handshake.ts';
import { MessageCounter, Reactions } from './liveness.ts';
import { parseProtocol, type MessageEmitter } from './library.ts';
import { ProtocolSchemas } from './schema.ts';
import { ValueConverter } from './values.ts';

type Fail = (error: Error) => void;

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function connectAvroJs(target: AvroTarget, options: AvroClientOptions): Promise<AvroClientHandle> {
  const protocol = parseProtocol(target.protocol.text);
  const values = new ValueConverter(new ProtocolSchemas(target.protocol.text));
  const url = new URL(target.url);
  const recorder = options.recorder;
  const handshakes: HandshakeRecord[] = [];
  const pending = new Set<Fail>();
  const failAll = (error: Error): void => {
    for (const fail of [...pending]) fail(error);
  };
  const reactions = new Reactions();
  const ignored = (bytes: number): Error =>
    new Error(`avro-js did not react to a complete ${bytes}-byte response message (no callback, event or error); it has no timeout of its own and would wait for ever`);

  let emitter: MessageEmitter;
  let socket: Socket | undefined;
  let agent: Agent | undefined;
  // Which call an HTTP exchange belongs to, so that a failed request fails that call (avro-js
  // makes the requests, retries included, from inside the call's asynchronous context). HTTP only,
  // and disabled when the client closes: on Node 22 a store that has run turns on promise hooks for
  // the whole process until it is disabled (every await ~3x dearer, 81 -> 271 ns measured), which
  // slowed every test of the worker that had run an avro-js HTTP case (profiles, harness/DESIGN.md).
  const exchangeOwner = new AsyncLocalStorage<Fail>();
  if (url.protocol === 'http:') {
    const httpAgent = new Agent({ keepAlive: true });
    agent = httpAgent;
    emitter = protocol.createEmitter((onReadable: (readable: IncomingMessage) => void) => {
      const fail = exchangeOwner.getStore();
      reactions.note(); // a new exchange: avro-js answering a response by retrying
      const request = httpRequest({
        method: 'POST', host: url.hostname, port: url.port, path: url.pathname, agent: httpAgent,
        headers: { 'Content-Type': 'avro/binary' },
      }, (response) => {
        const before = reactions.seen;
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          recorder?.received(chunk);
        });
        response.on('end', () => reactions.checkAfter(before, () => fail?.(ignored(bytes))));
        onReadable(response);
      });
      request.on('error', (error) => fail?.(error));
      if (recorder) recordStream(request, recorder); // what avro-js writes to the request: the body
      return request;
    });
  } else if (url.protocol === 'tcp:') {
    const opened = await openSocket(url.hostname, Number(url.port));
    socket = opened;
    if (recorder) recordStream(opened, recorder);
    const messages = new MessageCounter();
    opened.on('data', (chunk: Buffer) => {
      const before = reactions.seen;
      if (messages.push(chunk) > 0) reactions.checkAfter(before, () => failAll(ignored(messages.lastMessageSize)));
    });
    opened.on('error', failAll);
    opened.on('close', () => failAll(new Error('the server closed the connection')));
    emitter = protocol.createEmitter(opened);
  } else {
    throw new Error(`avro-js speaks http:// (stateless) and tcp:// (stateful, standard framing) only, not ${url.protocol}`);
  }
  emitter.on('handshake', (request, response) => {
    reactions.note();
    handshakes.push(handshakeRecord(request, response));
  });
  emitter.on('error', (error) => {
    reactions.note();
    failAll(error);
  });
  const stateful = socket !== undefined;

  const call = (message: string, request: Readonly<Record<string, unknown>>): Promise<unknown> => new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | undefined, response?: unknown): void => {
      if (!pending.delete(fail)) return;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(response);
    };
    const fail: Fail = (error) => settle(error);
    pending.add(fail);
    timer = setTimeout(() => fail(new Error(`${message}: no response within ${options.timeoutMs} ms`)), options.timeoutMs);
    let input: Record<string, unknown>;
    try {
      input = values.requestIn(message, request);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const emit = (): void => protocol.emit(message, input, emitter, (error, response) => {
      reactions.note();
      if (error !== null && error !== undefined) settle(fromLibraryError(values, message, error));
      else settle(undefined, values.responseOut(message, response));
    });
    if (stateful) emit();
    else exchangeOwner.run(fail, emit);
    // A stateful emitter never calls back for a one-way message; an error it has (a request it
    // cannot encode, a destroyed emitter) arrives on the next tick, before this.
    if (stateful && protocol.getMessages()[message]?.oneWay) setImmediate(() => settle(undefined, null));
  });

  return {
    call,
    handshakes: () => [...handshakes],
    close: async () => {
      exchangeOwner.disable();
      emitter.destroy(true);
      socket?.destroy();
      agent?.destroy();
    },
  };
}
