// The Avro RPC client: handshake state machine, call encoding, response resolution.
//
// Stateless transports (HTTP) carry a handshake on every call. Stateful ones (tcp, netty, avro,
// netty-deflate) handshake once per connection, and exactly one handshake is in flight on a
// connection at a time: the first call of a fresh connection carries it, every other call waits
// behind it (Java's requestors do the same with their handshake lock; a server reads only the
// first message of a connection as a handshake, so a second concurrent handshake would be read
// as a call). When the answer is NONE (the server does not know our hash: always the first time
// we meet another implementation, which hashes its own rendering of the protocol), the holder of
// the lock resends with our protocol text; the waiting calls go out after it succeeded, without
// a handshake. If the handshake fails, the next waiting call tries its own.
//
// Reconnection: when the server closes a stateful connection (a restart, its idle timeout), the
// calls in flight on it fail with the reason; the next call opens a new connection and
// handshakes again on it (presenting the server hash learned before, so a restarted server with
// the same protocol answers BOTH at once). Nothing is retried behind the caller's back: a call
// whose connection was lost may or may not have run on the server.
import { BOOLEAN_TYPE, encodeCallHeader, META_TYPE } from './call.ts';
import { encodeParts } from './encode.ts';
import { AvroRemoteError, AvroSystemError, AvroTransportError } from './errors.ts';
import {
  encodeHandshakeRequest, HANDSHAKE_RESPONSE_TYPE, toHandshakeResponse,
  type HandshakeRequest, type HandshakeResponse, type Meta, type WireHandshakeResponse,
} from './handshake.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { PayloadReader } from './payload.ts';
import { IncompatibleProtocols, PeerProtocol, ProtocolCache } from './peers.ts';
import type { MessageDefinition, Protocol } from './protocol.ts';
import type { ClientTransport } from './transport.ts';

export interface ClientOptions {
  /** Per-call timeout in milliseconds (default 30 s), waiting for a handshake included. */
  readonly timeoutMs?: number;
  /** Metadata sent in every handshake request. */
  readonly handshakeMeta?: Meta;
  /** Metadata sent with every call. */
  readonly callMeta?: Meta;
  /** The server hash to present before we know the server (default: our own hash). */
  readonly serverHashGuess?: Buffer;
  /** Send our protocol text in the first handshake instead of waiting for NONE. */
  readonly sendProtocolFirst?: boolean;
}

export interface HandshakeExchange {
  readonly request: HandshakeRequest;
  readonly response: HandshakeResponse;
}

export interface CallResult {
  readonly response: unknown;
  readonly meta: Meta;
}

/** A one-way call's result. */
function noResult(): CallResult {
  return { response: null, meta: {} };
}

function responseOf(result: CallResult): unknown {
  return result.response;
}

/** The meta key under which our server says why it could not read a handshake (responder.ts). */
const HANDSHAKE_ERROR_META = 'error';

// Server protocols by hash, shared by all clients of the process (the spec's client-side cache).
// Bounded, and it holds only texts that hash to the hash they came with (peers.ts).
const serverProtocols = new ProtocolCache(DEFAULT_LIMITS);

/**
 * The handshakes a client keeps, the newest. A stateless (HTTP) client handshakes with every call,
 * so keeping them all grew its heap without bound: 5 MB more live heap after each 30,000 int
 * calls (measured 2026-12-01, after a full collection).
 */
export const KEPT_HANDSHAKES = 256;

export class AvroClient {
  /** The handshakes this client made, oldest first: the last KEPT_HANDSHAKES of them. What the tests assert on. */
  readonly handshakes: HandshakeExchange[] = [];
  readonly protocol: Protocol;
  private remote: PeerProtocol | undefined;
  private serverHash: Buffer;
  private sendProtocol: boolean;
  /** Stateful transports: the connection number on which our handshake was accepted. */
  private establishedOn: number | undefined;
  /** The last handshake request encoded, and what it was made of (handshakeBytes). */
  private lastHandshake: { serverHash: Buffer; clientProtocol: string | null; meta: HandshakeRequest['meta']; bytes: Buffer } | undefined;
  /**
   * Stateless transports: the last handshake the server answered BOTH (hashes only), with the
   * request's and the response's bytes. Every call sends that request again, and an answer that
   * begins with the same response bytes holds the same response: it is not decoded again.
   */
  private repeated: { request: HandshakeRequest; response: HandshakeResponse; requestBytes: Buffer; responseBytes: Buffer } | undefined;
  /** Stateful transports: settles when the handshake in flight is over (whatever its outcome). */
  private handshakeInFlight: Promise<void> | undefined;
  private readonly transport: ClientTransport;
  private readonly options: ClientOptions;
  private readonly limits: Limits;
  /** Our own protocol as the server's, when the server has our hash. */
  private readonly ownPeer: PeerProtocol;
  /** Call headers (call meta and message name) by message name: the same bytes for every call. */
  private readonly callHeaders = new Map<string, Buffer>();

  constructor(protocol: Protocol, transport: ClientTransport, options: ClientOptions & { limits?: Limits } = {}) {
    this.protocol = protocol;
    this.transport = transport;
    this.options = options;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.serverHash = options.serverHashGuess ?? protocol.hash;
    this.sendProtocol = options.sendProtocolFirst ?? false;
    this.ownPeer = new PeerProtocol(protocol, true);
  }

  /**
   * Calls a message with its parameters (name -> value); resolves with the response.
   * Bytes and fixed values of 8 KiB or more are written to the transport as they are, not copied
   * (encode.ts), as node's socket.write does: do not change such a buffer until the call settles.
   */
  call(messageName: string, parameters: Readonly<Record<string, unknown>>): Promise<unknown> {
    return this.callWithMeta(messageName, parameters).then(responseOf);
  }

  callWithMeta(messageName: string, parameters: Readonly<Record<string, unknown>>): Promise<CallResult> {
    const message = this.protocol.messages.get(messageName);
    if (!message) return Promise.reject(new Error(`protocol ${this.protocol.name} has no message ${messageName}`));
    let body: Buffer[];
    try {
      body = [this.callHeader(messageName), ...encodeParts(message.request, parameters)];
    } catch (error) {
      return Promise.reject(new Error(`parameters of ${messageName} do not fit its request schema: ${(error as Error).message}`));
    }
    const read = (reader: PayloadReader): CallResult => this.readResponse(reader, message);
    const established = this.sendEstablished(body, message.oneWay, read) ?? this.sendRepeated(body, read);
    if (established) return established;
    return this.withTimeout(this.send(body, message.oneWay, read)).then((result) => result ?? noResult());
  }

  /**
   * The common case of a stateful transport, sent at once: the connection is open and has had
   * our handshake. The transport's own timeout bounds the call (it is given the client's), so
   * there is no timer and no race of promises per call. Undefined when this does not apply.
   */
  private sendEstablished(body: Buffer[], oneWay: boolean, read: (reader: PayloadReader) => CallResult): Promise<CallResult> | undefined {
    const transport = this.transport;
    if (this.establishedOn === undefined || transport.timeoutMs === undefined || transport.timeoutMs > (this.options.timeoutMs ?? 30_000)) return undefined;
    const connection = transport.openConnection?.();
    if (connection === undefined || connection !== this.establishedOn) return undefined;
    return transport.exchange(body, !oneWay, connection).then((answer) => {
      if (oneWay) return noResult();
      if (answer === undefined) throw new AvroTransportError('no response payload');
      return read(new PayloadReader(answer, this.limits));
    });
  }

  /**
   * The common case of a stateless transport: the last handshake was answered BOTH, so the same
   * request goes out at once, bounded by the transport's own timeout as sendEstablished's is. An
   * answer that begins otherwise (a server restarted with another protocol) is read as
   * handshakeAndCall reads any: after NONE, which carries no answer to the call, the call is sent
   * again with our protocol. Undefined when this does not apply.
   */
  private sendRepeated(body: Buffer[], read: (reader: PayloadReader) => CallResult): Promise<CallResult> | undefined {
    const repeated = this.repeated;
    const transport = this.transport;
    if (repeated === undefined || transport.timeoutMs === undefined || transport.timeoutMs > (this.options.timeoutMs ?? 30_000)) return undefined;
    return transport.exchange([repeated.requestBytes, ...body], true, undefined).then((answer) => {
      if (answer === undefined) throw new AvroTransportError('no response payload');
      const reader = new PayloadReader(answer, this.limits);
      if (reader.skipIfNext(repeated.responseBytes)) {
        this.remember(repeated.request, repeated.response);
        return read(reader);
      }
      this.repeated = undefined;
      const response = this.readHandshake(repeated.request, reader);
      if (response.match !== 'NONE') return read(reader);
      this.sendProtocol = true;
      return this.withTimeout(this.handshakeAndCall(body, read, undefined, 1));
    });
  }

  /** A handshake-only request (empty message name): checks the server answers and learns its protocol. */
  async ping(): Promise<HandshakeResponse | undefined> {
    await this.withTimeout(this.send([this.callHeader('')], false, () => undefined));
    return this.handshakes.at(-1)?.response;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** The call meta never changes and message names are the protocol's (or '' for a ping): bounded. */
  private callHeader(messageName: string): Buffer {
    let header = this.callHeaders.get(messageName);
    if (!header) {
      header = encodeCallHeader(this.options.callMeta ?? {}, messageName);
      this.callHeaders.set(messageName, header);
    }
    return header;
  }

  private async send<T>(body: Buffer[], oneWay: boolean, read: (reader: PayloadReader) => T): Promise<T | undefined> {
    if (!this.transport.stateful) return this.handshakeAndCall(body, read, undefined);
    for (;;) {
      const connection = this.transport.connect ? await this.transport.connect() : 0;
      if (this.establishedOn === connection) {
        const answer = await this.transport.exchange(body, !oneWay, connection);
        if (oneWay) return undefined;
        if (answer === undefined) throw new AvroTransportError('no response payload');
        return read(new PayloadReader(answer, this.limits));
      }
      if (this.handshakeInFlight) {
        await this.handshakeInFlight;
        continue; // established now, or the handshake failed and this call tries its own
      }
      let release = (): void => undefined;
      this.handshakeInFlight = new Promise<void>((resolve) => { release = resolve; });
      try {
        return await this.handshakeAndCall(body, read, connection);
      } finally {
        this.handshakeInFlight = undefined;
        release();
      }
    }
  }

  /**
   * Sends the call behind a handshake; after NONE, once more with our protocol text (from attempt
   * 1: the attempt after a NONE already received).
   */
  private async handshakeAndCall<T>(body: Buffer[], read: (reader: PayloadReader) => T, connection: number | undefined, from = 0): Promise<T> {
    let reason = '';
    for (let attempt = from; attempt < 2; attempt++) {
      const request: HandshakeRequest = {
        clientHash: this.protocol.hash,
        clientProtocol: this.sendProtocol ? this.protocol.text : null,
        serverHash: this.serverHash,
        meta: this.options.handshakeMeta ?? null,
      };
      // A call behind a handshake always gets an answer (the handshake's), one-way or not.
      const answer = await this.transport.exchange([this.handshakeBytes(request), ...body], true, connection);
      if (answer === undefined) throw new AvroTransportError('no response payload');
      const reader = new PayloadReader(answer, this.limits);
      const response = this.readHandshake(request, reader);
      this.repeated = undefined;
      if (response.match === 'NONE') {
        const error = response.meta?.[HANDSHAKE_ERROR_META];
        reason = error ? `: ${error.toString('utf8')}` : '';
        if (error && this.sendProtocol) break;
        this.sendProtocol = true;
        continue;
      }
      if (connection !== undefined) this.establishedOn = connection;
      this.sendProtocol = false;
      if (!this.transport.stateful && response.match === 'BOTH' && request.clientProtocol === null) {
        this.repeated = { request, response, requestBytes: this.handshakeBytes(request), responseBytes: Buffer.from(answer.subarray(0, reader.offset)) };
      }
      return read(reader);
    }
    throw new AvroTransportError(`server still answers NONE after receiving our protocol${reason}`);
  }

  /** Reads the handshake response at the start of an answer, keeps it, and learns from it. */
  private readHandshake(request: HandshakeRequest, reader: PayloadReader): HandshakeResponse {
    const response = toHandshakeResponse(reader.read<WireHandshakeResponse>(HANDSHAKE_RESPONSE_TYPE));
    this.remember(request, response);
    this.learn(response);
    return response;
  }

  private remember(request: HandshakeRequest, response: HandshakeResponse): void {
    this.handshakes.push({ request, response });
    if (this.handshakes.length > KEPT_HANDSHAKES) this.handshakes.shift();
  }

  /**
   * The request's bytes. A stateless client sends a handshake with every call, almost always the
   * same one (it changes only when the server hash learned or the protocol text sent does): the
   * last one encoded is sent again.
   */
  private handshakeBytes(request: HandshakeRequest): Buffer {
    const last = this.lastHandshake;
    if (last?.serverHash === request.serverHash && last.clientProtocol === request.clientProtocol && last.meta === request.meta) return last.bytes;
    const bytes = encodeHandshakeRequest(request);
    this.lastHandshake = { serverHash: request.serverHash, clientProtocol: request.clientProtocol, meta: request.meta, bytes };
    return bytes;
  }

  private learn(response: HandshakeResponse): void {
    if (response.serverHash && response.serverProtocol) {
      let remote: PeerProtocol;
      try {
        remote = response.serverHash.equals(this.protocol.hash) && response.serverProtocol === this.protocol.text
          ? this.ownPeer
          : serverProtocols.learn(response.serverHash, response.serverProtocol, 'server');
      } catch (error) {
        throw new AvroTransportError((error as Error).message);
      }
      this.serverHash = response.serverHash;
      this.remote = remote;
    } else if (response.match === 'BOTH' && !this.remote) {
      // BOTH: the hash we presented is the server's; without another text, that is our own protocol.
      this.remote = serverProtocols.get(this.serverHash) ?? this.ownPeer;
    }
  }

  private readResponse(reader: PayloadReader, message: MessageDefinition): CallResult {
    const meta = reader.read<Meta>(META_TYPE);
    const isError = reader.read<boolean>(BOOLEAN_TYPE);
    const remote = this.remote ?? this.ownPeer;
    const known = remote.protocol.messages.has(message.name);
    if (!isError) {
      if (!known) throw new AvroTransportError(`server answered ${message.name}, which its protocol does not have`);
      return { response: reader.read(message.response, this.resolver(remote, message, 'response')), meta };
    }
    const error = reader.read<Record<string, unknown>>(message.errors, known ? this.resolver(remote, message, 'errors') : undefined);
    const [branch, value] = Object.entries(error)[0] ?? ['string', 'empty error union'];
    if (branch === 'string') throw new AvroSystemError(String(value));
    throw new AvroRemoteError(branch, value as Record<string, unknown>);
  }

  /** Reader = our schema, writer = the server's; resolution errors say which message disagrees. */
  private resolver(remote: PeerProtocol, message: MessageDefinition, part: 'response' | 'errors'): ReturnType<PeerProtocol['resolver']> {
    try {
      return remote.resolver(this.protocol, message, part);
    } catch (error) {
      if (error instanceof IncompatibleProtocols) throw new AvroTransportError(error.message);
      throw error;
    }
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AvroTransportError(`no response within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
