// The Avro RPC server logic: handshake, call decoding with schema resolution, handler dispatch,
// response and error encoding. Transports hand it whole request payloads.
//
// Client protocols are kept in a bounded cache that only holds texts verified against their
// hash (peers.ts). A request is read with the client's protocol as the writer and ours as the
// reader, by the specification's resolution rules: parameters match by name whatever namespace
// the client's copy of the protocol uses, named types by unqualified name or alias.
import { META_TYPE, RESPONSE_ERROR_HEADER, RESPONSE_OK_HEADER, STRING_TYPE } from './call.ts';
import { encodeParts } from './encode.ts';
import { AvroRemoteError } from './errors.ts';
import {
  encodeHandshakeResponse, HANDSHAKE_REQUEST_TYPE, toHandshakeRequest,
  type HandshakeRequest, type HandshakeResponse, type Meta, type WireHandshakeRequest,
} from './handshake.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { PayloadReader } from './payload.ts';
import { PeerProtocol, ProtocolCache } from './peers.ts';
import type { MessageDefinition, Protocol } from './protocol.ts';
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
  remote: PeerProtocol | undefined;
  handshakeMeta: Meta | null;
  /** The message last called on this connection (calls of the same message follow one another). */
  lastCall?: LastCall | undefined;
}

type Resolver = ReturnType<PeerProtocol['resolver']>;

/**
 * A message called on a connection, known by its name's encoded bytes: the next call of it skips
 * decoding the name into a string and looking it up (a C++ call and three map lookups per call,
 * measured on a server woken per message: profile/README.md, ninth pass).
 */
interface LastCall {
  readonly remote: PeerProtocol;
  readonly nameBytes: Buffer;
  readonly name: string;
  readonly local: MessageDefinition;
  readonly resolver: Resolver;
}

/** A handshake request's bytes, what they read as, and the answer to them. */
interface RepeatedHandshake {
  readonly bytes: Buffer;
  readonly request: HandshakeRequest;
  readonly response: HandshakeResponse;
  readonly answer: Buffer;
  readonly remote: PeerProtocol;
}

export interface ResponderEvents {
  /** Called for every handshake, with what we answered (tests assert on these). */
  handshake?(request: HandshakeRequest, response: HandshakeResponse, connection?: Connection): void;
  /** Called when a request fails before reaching a handler (bad payload, unknown message). */
  systemError?(message: string): void;
}

export interface ResponderOptions {
  readonly limits?: Partial<Limits>;
}

/** Handshake response meta key under which we say why a handshake could not be read. */
export const HANDSHAKE_ERROR_META = 'error';

export class AvroResponder {
  readonly protocol: Protocol;
  private readonly handlers: Handlers;
  private readonly events: ResponderEvents;
  private readonly limits: Limits;
  private readonly clients: ProtocolCache;
  /** Our own protocol as a peer: clients that present our hash use our definitions. */
  private readonly ownPeer: PeerProtocol;
  /**
   * The last handshake answered with the client's protocol known, if it carried only hashes:
   * over HTTP every request carries the same one, and its bytes, found again at the start of a
   * request, stand for it. Any other handshake is read in full and forgets it, so the protocol
   * cache (whose only user is handshake()) is in the state this one left it in, and the answer
   * would be the same. Only hash-only handshakes whose meta is null or empty (Java's clients send
   * an empty map, ours and Python's null): no item of the payload's collection budget is skipped,
   * and the bytes kept are a few dozen.
   */
  private lastHandshake: RepeatedHandshake | undefined;
  /** The last call of stateless transports, as a connection keeps its own. */
  private readonly stateless: { lastCall?: LastCall | undefined } = {};

  constructor(protocol: Protocol, handlers: Handlers, events: ResponderEvents = {}, options: ResponderOptions = {}) {
    this.protocol = protocol;
    this.handlers = handlers;
    this.events = events;
    this.limits = resolveLimits(options.limits);
    this.clients = new ProtocolCache(this.limits);
    this.ownPeer = new PeerProtocol(protocol, true);
    for (const name of protocol.messages.keys()) {
      if (!handlers[name]) throw new Error(`no handler for message ${name} of ${protocol.name}`);
    }
  }

  /** Client protocols cached now (bounded by limits.maxCachedProtocols). */
  get cachedClientProtocols(): number {
    return this.clients.size;
  }

  newConnection(): Connection {
    return { remote: undefined, handshakeMeta: null, lastCall: undefined };
  }

  /**
   * Answers one request payload. `connection` is given by stateful transports and undefined for
   * stateless ones. Resolves with the response payload, or undefined when none is due (one-way
   * message on an established connection).
   */
  async respond(payload: Buffer, connection?: Connection): Promise<Buffer | undefined> {
    const parts = await this.answer(payload, connection);
    return parts === undefined ? undefined : parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /**
   * As respond(), with the response payload in parts, so that transports frame it without
   * copying, and synchronous when the handler is (returns a value, not a promise): a transport
   * then writes the answer in the same tick as it read the request, without a trip through the
   * microtask queue per call. Throws, or returns a rejected promise, where respond() rejects.
   */
  answer(payload: Buffer, connection?: Connection): Answer | Promise<Answer> {
    const reader = new PayloadReader(payload, this.limits);
    let handshake: Buffer = NO_HANDSHAKE;
    let remote = connection?.remote;
    let handshakeMeta = connection?.handshakeMeta ?? null;
    const wasEstablished = remote !== undefined;
    if (!remote) {
      const repeated = this.lastHandshake;
      if (repeated !== undefined && reader.skipIfNext(repeated.bytes)) {
        this.events.handshake?.(repeated.request, repeated.response, connection);
        handshake = repeated.answer;
        remote = repeated.remote;
        // Its meta is null or empty; an empty one is each request's own, as if read afresh.
        handshakeMeta = repeated.request.meta === null ? null : {};
      } else {
        this.lastHandshake = undefined;
        let request: HandshakeRequest;
        let answer: { response: HandshakeResponse; remote: PeerProtocol | undefined };
        try {
          request = toHandshakeRequest(reader.read<WireHandshakeRequest>(HANDSHAKE_REQUEST_TYPE));
        } catch (error) {
          return [this.handshakeFailure(`handshake request: ${(error as Error).message}`)];
        }
        try {
          answer = this.handshake(request);
        } catch (error) {
          return [this.handshakeFailure((error as Error).message, request, connection)];
        }
        this.events.handshake?.(request, answer.response, connection);
        handshake = encodeHandshakeResponse(answer.response);
        if (!answer.remote) return [handshake]; // NONE: the client resends with its protocol
        remote = answer.remote;
        handshakeMeta = request.meta;
        if (request.clientProtocol === null && (request.meta === null || isEmpty(request.meta))) {
          // What the events get again: the meta frozen, not the map this call's handler is given.
          const meta = request.meta === null ? null : EMPTY_META;
          this.lastHandshake = { bytes: Buffer.from(payload.subarray(0, reader.offset)), request: { ...request, meta }, response: { ...answer.response, meta }, answer: handshake, remote };
        }
      }
      if (connection) {
        connection.remote = remote;
        connection.handshakeMeta = handshakeMeta;
      }
    }
    // A handshake alone (Apache's avro-js opens stateful connections so) is a ping.
    if (!wasEstablished && reader.atEnd) return [handshake];
    try {
      const callMeta = reader.read<Meta>(META_TYPE);
      const calls = connection ?? this.stateless;
      let message = calls.lastCall;
      if (message === undefined || message.remote !== remote || !reader.skipIfNext(message.nameBytes)) {
        const nameStart = reader.offset;
        const name = reader.read<string>(STRING_TYPE);
        if (name === '') return [handshake]; // a ping: the handshake is the whole answer
        const local = this.protocol.messages.get(name);
        if (!remote.protocol.messages.has(name)) throw new Error(`No such remote message: ${name}`);
        if (!local) throw new Error(`No message named ${name} in ${this.protocol.name}`);
        message = { remote, nameBytes: Buffer.from(payload.subarray(nameStart, reader.offset)), name, local, resolver: remote.resolver(this.protocol, local, 'request') };
        calls.lastCall = message;
      }
      const { name, local } = message;
      const parameters = reader.read<Record<string, unknown>>(local.request, message.resolver);
      if (!reader.atEnd) throw new Error(`request for ${name} has trailing bytes`);

      const call: Call = { local, handshake, answered: !(local.oneWay && wasEstablished) };
      let value: unknown;
      try {
        value = this.handlers[name]?.(parameters, { message: name, callMeta, handshakeMeta });
      } catch (error) {
        return this.failed(call, error);
      }
      if (isThenable(value)) {
        return Promise.resolve(value).then((resolved) => this.succeeded(call, resolved), (error: unknown) => this.failed(call, error));
      }
      return this.succeeded(call, value);
    } catch (error) {
      return this.systemFailure(handshake, error);
    }
  }

  /** The handler's value as the response (a value that does not fit the schema is an error). */
  private succeeded(call: Call, value: unknown): Answer {
    if (!call.answered) return undefined;
    try {
      return withHandshake(call.handshake, [RESPONSE_OK_HEADER, ...encodeParts(call.local.response, call.local.oneWay ? null : value)]);
    } catch (error) {
      return this.failed(call, error);
    }
  }

  /** The handler's error as the response: a declared error in its branch, anything else as a string. */
  private failed(call: Call, error: unknown): Answer {
    if (!call.answered) return undefined;
    try {
      return withHandshake(call.handshake, [RESPONSE_ERROR_HEADER, this.encodeError(call.local.errors, call.local.declaredErrors, error)]);
    } catch (encoding) {
      return this.systemFailure(call.handshake, encoding);
    }
  }

  /**
   * A system error: the request could not be read or dispatched. Answered in the error union's
   * string branch, as every implementation does.
   */
  private systemFailure(handshake: Buffer, error: unknown): Buffer[] {
    const message = error instanceof Error ? error.message : String(error);
    this.events.systemError?.(message);
    return withHandshake(handshake, [RESPONSE_ERROR_HEADER, Buffer.from([0]), STRING_TYPE.toBuffer(message)]);
  }

  /**
   * A handshake we cannot read or accept (bytes that do not decode, a protocol text that does not
   * parse) gets a well-formed answer: NONE with our protocol, and the reason in the meta under
   * "error", so the client learns what was wrong instead of misreading an error as a handshake.
   */
  private handshakeFailure(reason: string, request?: HandshakeRequest, connection?: Connection): Buffer {
    this.events.systemError?.(reason);
    const response: HandshakeResponse = {
      match: 'NONE',
      serverProtocol: this.protocol.text,
      serverHash: this.protocol.hash,
      meta: { [HANDSHAKE_ERROR_META]: Buffer.from(reason, 'utf8') },
    };
    if (request) this.events.handshake?.(request, response, connection);
    return encodeHandshakeResponse(response);
  }

  private handshake(request: HandshakeRequest): { response: HandshakeResponse; remote: PeerProtocol | undefined } {
    let remote = request.clientHash.equals(this.protocol.hash) ? this.ownPeer : this.clients.get(request.clientHash);
    if (!remote && request.clientProtocol !== null) remote = this.clients.learn(request.clientHash, request.clientProtocol, 'client');
    const hashMatches = request.serverHash.equals(this.protocol.hash);
    const match = !remote ? 'NONE' : hashMatches ? 'BOTH' : 'CLIENT';
    const response: HandshakeResponse = {
      match,
      serverProtocol: match === 'BOTH' ? null : this.protocol.text,
      serverHash: match === 'BOTH' ? null : this.protocol.hash,
      // Handshake metadata is echoed back, so clients can check it travels both ways.
      meta: request.meta,
    };
    return { response, remote };
  }

  /** Declared errors go in their own branch of the union; anything else is a system error string. */
  private encodeError(errors: AvroType, declared: readonly string[], error: unknown): Buffer {
    if (error instanceof AvroRemoteError && declared.includes(error.errorType)) {
      return errors.toBuffer({ [error.errorType]: error.value });
    }
    return errors.toBuffer({ string: error instanceof Error ? error.message : String(error) });
  }
}

const NO_HANDSHAKE = Buffer.alloc(0);
const EMPTY_META: Meta = Object.freeze({});

/** A response payload in parts, or undefined when none is due (a one-way message on an established connection). */
export type Answer = Buffer[] | undefined;

/** A call being answered: its message, the handshake response that goes first, and whether an answer is due. */
interface Call {
  readonly local: MessageDefinition;
  readonly handshake: Buffer;
  readonly answered: boolean;
}

function isEmpty(meta: Meta): boolean {
  for (const _ in meta) return false;
  return true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The handshake response goes first; on an established connection there is none. */
function withHandshake(handshake: Buffer, parts: Buffer[]): Buffer[] {
  if (handshake.length > 0) parts.unshift(handshake);
  return parts;
}
