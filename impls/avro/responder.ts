// The Avro RPC server logic: handshake, call decoding with schema resolution, handler dispatch,
// response and error encoding. Transports hand it whole request payloads.
import { AvroRemoteError } from './errors.ts';
import {
  encodeHandshakeResponse, HANDSHAKE_REQUEST_TYPE, toHandshakeRequest,
  type HandshakeRequest, type HandshakeResponse, type Meta, type WireHandshakeRequest,
} from './handshake.ts';
import { encodeResponseHeader, META_TYPE, STRING_TYPE } from './call.ts';
import { PayloadReader } from './payload.ts';
import { parseProtocol, type Protocol } from './protocol.ts';
import type { AvroType } from './types.ts';

export interface CallContext {
  readonly message: string;
  readonly callMeta: Meta;
  readonly handshakeMeta: Meta | null;
}

export type Handler = (parameters: Record<string, unknown>, context: CallContext) => unknown;
export type Handlers = Readonly<Record<string, Handler>>;

/** Per-connection state of a stateful transport: the client's protocol once a handshake succeeded. */
export interface Connection {
  remote: Protocol | undefined;
  handshakeMeta: Meta | null;
}

export interface ResponderEvents {
  /** Called for every handshake, with what we answered (tests assert on these). */
  handshake?(request: HandshakeRequest, response: HandshakeResponse): void;
  /** Called when a request fails before reaching a handler (bad payload, unknown message). */
  systemError?(message: string): void;
}

type Resolver = ReturnType<AvroType['createResolver']>;

export class AvroResponder {
  private readonly clients = new Map<string, Protocol>();
  private readonly resolvers = new Map<string, Resolver>();

  readonly protocol: Protocol;
  private readonly handlers: Handlers;
  private readonly events: ResponderEvents;

  constructor(protocol: Protocol, handlers: Handlers, events: ResponderEvents = {}) {
    this.protocol = protocol;
    this.handlers = handlers;
    this.events = events;
    for (const name of protocol.messages.keys()) {
      if (!handlers[name]) throw new Error(`no handler for message ${name} of ${protocol.name}`);
    }
  }

  newConnection(): Connection {
    return { remote: undefined, handshakeMeta: null };
  }

  /**
   * Answers one request payload. `connection` is given by stateful transports and undefined for
   * stateless ones. Resolves with the response payload, or undefined when none is due (one-way
   * message on an established connection).
   */
  async respond(payload: Buffer, connection?: Connection): Promise<Buffer | undefined> {
    const reader = new PayloadReader(payload);
    let handshake: Buffer = Buffer.alloc(0);
    let remote = connection?.remote;
    let handshakeMeta = connection?.handshakeMeta ?? null;
    const wasEstablished = remote !== undefined;
    try {
      if (!remote) {
        const request = toHandshakeRequest(reader.read<WireHandshakeRequest>(HANDSHAKE_REQUEST_TYPE));
        const answer = this.handshake(request);
        handshake = encodeHandshakeResponse(answer.response);
        if (!answer.remote) return handshake; // NONE: the client resends with its protocol
        remote = answer.remote;
        handshakeMeta = request.meta;
        if (connection) {
          connection.remote = remote;
          connection.handshakeMeta = request.meta;
        }
      }
      const callMeta = reader.read<Meta>(META_TYPE);
      const name = reader.read<string>(STRING_TYPE);
      if (name === '') return handshake; // a ping: the handshake is the whole answer
      const local = this.protocol.messages.get(name);
      const theirs = remote.messages.get(name);
      if (!theirs) throw new Error(`No such remote message: ${name}`);
      if (!local) throw new Error(`No message named ${name} in ${this.protocol.name}`);
      const parameters = reader.read<Record<string, unknown>>(local.request, this.resolver(remote, name, local.request, theirs.request));
      if (!reader.atEnd) throw new Error(`request for ${name} has trailing bytes`);

      let response: Buffer;
      try {
        const value = await this.handlers[name]?.(parameters, { message: name, callMeta, handshakeMeta });
        if (local.oneWay && wasEstablished) return undefined;
        response = Buffer.concat([encodeResponseHeader({}, false), local.response.toBuffer(local.oneWay ? null : value)]);
      } catch (error) {
        if (local.oneWay && wasEstablished) return undefined;
        response = Buffer.concat([encodeResponseHeader({}, true), this.encodeError(local.errors, local.declaredErrors, error)]);
      }
      return Buffer.concat([handshake, response]);
    } catch (error) {
      // A system error: the request could not be read or dispatched. Answered in the error union's
      // string branch, as every implementation does.
      const message = error instanceof Error ? error.message : String(error);
      this.events.systemError?.(message);
      return Buffer.concat([handshake, encodeResponseHeader({}, true), Buffer.from([0]), STRING_TYPE.toBuffer(message)]);
    }
  }

  private handshake(request: HandshakeRequest): { response: HandshakeResponse; remote: Protocol | undefined } {
    const key = request.clientHash.toString('hex');
    let remote = this.clients.get(key);
    if (!remote && request.clientProtocol !== null) {
      remote = parseProtocol(request.clientProtocol);
      this.clients.set(key, remote);
    }
    const hashMatches = request.serverHash.equals(this.protocol.hash);
    const match = !remote ? 'NONE' : hashMatches ? 'BOTH' : 'CLIENT';
    const response: HandshakeResponse = {
      match,
      serverProtocol: match === 'BOTH' ? null : this.protocol.text,
      serverHash: match === 'BOTH' ? null : this.protocol.hash,
      // Handshake metadata is echoed back, so clients can check it travels both ways.
      meta: request.meta,
    };
    this.events.handshake?.(request, response);
    return { response, remote };
  }

  /** Declared errors go in their own branch of the union; anything else is a system error string. */
  private encodeError(errors: AvroType, declared: readonly string[], error: unknown): Buffer {
    if (error instanceof AvroRemoteError && declared.includes(error.errorType)) {
      return errors.toBuffer({ [error.errorType]: error.value });
    }
    return errors.toBuffer({ string: error instanceof Error ? error.message : String(error) });
  }

  private resolver(remote: Protocol, name: string, reader: AvroType, writer: AvroType): Resolver {
    const key = `${remote.hash.toString('hex')}:${name}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = reader.createResolver(writer);
      } catch (error) {
        throw new Error(`incompatible protocols: the request of ${name} cannot be read: ${(error as Error).message}`);
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}
