// The project's Avro implementation behind the suite's implementation contract
// (harness/contract/avro.ts). Our values are already the contract's canonical values; only errors
// and handshake records change shape here.
import type {
  AvroClientHandle, AvroHandler, AvroImplementation, AvroServerHandle, HandshakeRecord,
} from '../../harness/contract/avro.ts';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import capabilities from './capabilities.json' with { type: 'json' };
import type { HandshakeRequest, HandshakeResponse } from './handshake.ts';
import { AvroRemoteError, AvroSystemError, connectClient, listen, parseProtocol, raise, type Handlers } from './index.ts';

function record(request: HandshakeRequest, response: HandshakeResponse): HandshakeRecord {
  return { request, response };
}

/** Our client's errors in the contract's shape. */
function contractError(error: unknown): unknown {
  if (error instanceof AvroRemoteError) return Object.assign(error, { avro: { kind: 'declared', type: error.errorType, value: error.value } });
  if (error instanceof AvroSystemError) return Object.assign(error, { avro: { kind: 'system', message: error.message } });
  return error;
}

function mapped<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    throw contractError(error);
  });
}

/** The suite's handlers raise declared errors in the contract's shape; our responder wants AvroRemoteError. */
function ourError(error: unknown): unknown {
  const carried = (error as { avro?: { kind: string; type: string; value: unknown } } | null)?.avro;
  if (carried?.kind === 'declared') return raise(carried.type, carried.value as Record<string, unknown>);
  return error;
}

/**
 * Handlers as our responder calls them. A synchronous handler stays synchronous (the responder
 * then answers in the tick that read the request); a promise's rejection is mapped when it comes.
 */
function ourHandlers(handlers: Readonly<Record<string, AvroHandler>>): Handlers {
  return Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, (parameters, context) => {
    let value: unknown;
    try {
      value = handler(parameters, context);
    } catch (error) {
      throw ourError(error);
    }
    if (typeof (value as PromiseLike<unknown> | null)?.then !== 'function') return value;
    return Promise.resolve(value).catch((error: unknown) => { throw ourError(error); });
  }]));
}

const adapter: AvroImplementation = {
  capabilities: capabilities as ImplementationCapabilities,

  async connect(target, options): Promise<AvroClientHandle> {
    const protocol = parseProtocol(target.protocol.text);
    const client = await connectClient(target.url, protocol, {
      timeoutMs: options.timeoutMs,
      ...(options.recorder ? { recorder: options.recorder } : {}),
      ...(options.serverHashGuess ? { serverHashGuess: Buffer.from(options.serverHashGuess) } : {}),
      ...(options.sendProtocolFirst !== undefined ? { sendProtocolFirst: options.sendProtocolFirst } : {}),
      ...(options.handshakeMeta ? { handshakeMeta: toBuffers(options.handshakeMeta) } : {}),
      ...(options.callMeta ? { callMeta: toBuffers(options.callMeta) } : {}),
    });
    return {
      // The request is passed as it is: the client only reads it.
      call: (message, request) => mapped(client.call(message, request)),
      callWithMeta: (message, request) => mapped(client.callWithMeta(message, request)),
      ping: async () => { await mapped(client.ping()); },
      handshakes: () => client.handshakes.map((h) => record(h.request, h.response)),
      close: () => client.close(),
    };
  },

  async listen(target, handlers, options): Promise<AvroServerHandle> {
    const protocol = parseProtocol(target.protocol.text);
    const onHandshake = options.onHandshake;
    // Connection objects become ids, so that a handshake record says which connection it came on.
    const ids = new WeakMap<object, string>();
    const idOf = (connection: object | undefined): string | undefined => {
      if (!connection) return undefined;
      let id = ids.get(connection);
      if (!id) {
        connections += 1;
        id = `connection-${connections}`;
        ids.set(connection, id);
      }
      return id;
    };
    let connections = 0;
    const server = await listen(target.url, protocol, ourHandlers(handlers), {
      ...(options.recorders ? { recorders: options.recorders } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(onHandshake ? { events: { handshake: (request: HandshakeRequest, response: HandshakeResponse, connection?: object) => {
        const id = idOf(connection);
        onHandshake({ ...record(request, response), ...(id ? { connection: id } : {}) });
      } } } : {}),
    });
    return { port: server.port, close: () => server.close() };
  },
};

function toBuffers(meta: Readonly<Record<string, Uint8Array>>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(v)]));
}

export default adapter;
