// The Avro RPC client: handshake state machine, call encoding, response resolution.
//
// Every call carries a handshake until one succeeds; on stateless transports (HTTP) every call
// carries one. The first call to a server of another implementation gets match NONE (it hashes
// its own rendering of the protocol) and is resent with our protocol text.
import { AvroRemoteError, AvroSystemError, AvroTransportError } from './errors.ts';
import {
  encodeHandshakeRequest, HANDSHAKE_RESPONSE_TYPE, toHandshakeResponse,
  type HandshakeRequest, type HandshakeResponse, type Meta, type WireHandshakeResponse,
} from './handshake.ts';
import { BOOLEAN_TYPE, encodeCallHeader, META_TYPE } from './call.ts';
import { PayloadReader } from './payload.ts';
import { parseProtocol, type MessageDefinition, type Protocol } from './protocol.ts';
import type { ClientTransport } from './transport.ts';
import type { AvroType } from './types.ts';

export interface ClientOptions {
  /** Per-call timeout in milliseconds (default 30 s). */
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

type Resolver = ReturnType<AvroType['createResolver']>;

export class AvroClient {
  /** Every handshake this client made, in order: what the tests assert on. */
  readonly handshakes: HandshakeExchange[] = [];
  private remote: Protocol | undefined;
  private serverHash: Buffer;
  private sendProtocol: boolean;
  private established = false;
  private readonly resolvers = new Map<string, Resolver>();
  /** Stateful transports: the first handshake must finish before other calls go out. */
  private handshaking: Promise<unknown> | undefined;

  readonly protocol: Protocol;
  private readonly transport: ClientTransport;
  private readonly options: ClientOptions;

  constructor(protocol: Protocol, transport: ClientTransport, options: ClientOptions = {}) {
    this.protocol = protocol;
    this.transport = transport;
    this.options = options;
    this.serverHash = options.serverHashGuess ?? protocol.hash;
    this.sendProtocol = options.sendProtocolFirst ?? false;
  }

  /** Calls a message with its parameters (name -> value); resolves with the response. */
  async call(messageName: string, parameters: Record<string, unknown>): Promise<unknown> {
    return (await this.callWithMeta(messageName, parameters)).response;
  }

  async callWithMeta(messageName: string, parameters: Record<string, unknown>): Promise<CallResult> {
    const message = this.protocol.messages.get(messageName);
    if (!message) throw new Error(`protocol ${this.protocol.name} has no message ${messageName}`);
    let body: Buffer;
    try {
      body = Buffer.concat([encodeCallHeader(this.options.callMeta ?? {}, messageName), message.request.toBuffer(parameters)]);
    } catch (error) {
      throw new Error(`parameters of ${messageName} do not fit its request schema: ${(error as Error).message}`);
    }
    const result = await this.send(body, message.oneWay, (reader) => this.readResponse(reader, message));
    return result ?? { response: null, meta: {} };
  }

  /** A handshake-only request (empty message name): checks the server answers and learns its protocol. */
  async ping(): Promise<HandshakeResponse | undefined> {
    await this.send(encodeCallHeader(this.options.callMeta ?? {}, ''), false, () => undefined);
    return this.handshakes.at(-1)?.response;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** Sends a call body behind a handshake when one is due; repeats once after NONE. */
  private async send<T>(body: Buffer, oneWay: boolean, read: (reader: PayloadReader) => T): Promise<T | undefined> {
    if (this.transport.stateful && !this.established && this.handshaking) await this.handshaking.catch(() => undefined);
    for (let attempt = 0; attempt < 2; attempt++) {
      const withHandshake = !this.transport.stateful || !this.established;
      const request: HandshakeRequest | undefined = withHandshake ? {
        clientHash: this.protocol.hash,
        clientProtocol: this.sendProtocol ? this.protocol.text : null,
        serverHash: this.serverHash,
        meta: this.options.handshakeMeta ?? null,
      } : undefined;
      const payload = request ? Buffer.concat([encodeHandshakeRequest(request), body]) : body;
      const expectResponse = withHandshake || !oneWay || !this.transport.stateful;
      const exchange = this.withTimeout(this.transport.exchange(payload, expectResponse));
      if (withHandshake && this.transport.stateful) this.handshaking = exchange;
      const answer = await exchange;
      if (!expectResponse) return undefined;
      if (answer === undefined) throw new AvroTransportError('no response payload');
      const reader = new PayloadReader(answer);
      if (request) {
        const response = toHandshakeResponse(reader.read<WireHandshakeResponse>(HANDSHAKE_RESPONSE_TYPE));
        this.handshakes.push({ request, response });
        this.learn(response);
        if (response.match === 'NONE') {
          this.sendProtocol = true;
          continue;
        }
        this.established = true;
        this.sendProtocol = false;
      }
      return read(reader);
    }
    throw new AvroTransportError('server still answers NONE after receiving our protocol');
  }

  private learn(response: HandshakeResponse): void {
    if (response.serverHash && response.serverProtocol) {
      this.serverHash = response.serverHash;
      this.remote = remoteProtocol(response.serverHash, response.serverProtocol);
    } else if (response.match === 'BOTH' && !this.remote) {
      // BOTH: the hash we presented is the server's; without another text, that is our own protocol.
      this.remote = cachedRemote(this.serverHash) ?? this.protocol;
    }
  }

  private readResponse(reader: PayloadReader, message: MessageDefinition): CallResult {
    const meta = reader.read<Meta>(META_TYPE);
    const isError = reader.read<boolean>(BOOLEAN_TYPE);
    const remote = (this.remote ?? this.protocol).messages.get(message.name);
    if (!isError) {
      if (!remote) throw new AvroTransportError(`server answered ${message.name}, which its protocol does not have`);
      return { response: reader.read(message.response, this.resolver('response', message, remote)), meta };
    }
    const error = reader.read<Record<string, unknown>>(message.errors, remote ? this.resolver('errors', message, remote) : undefined);
    const [branch, value] = Object.entries(error)[0] ?? ['string', 'empty error union'];
    if (branch === 'string') throw new AvroSystemError(String(value));
    throw new AvroRemoteError(branch, value as Record<string, unknown>);
  }

  /** Reader = our schema, writer = the server's; resolution errors say which message disagrees. */
  private resolver(part: 'response' | 'errors', local: MessageDefinition, remote: MessageDefinition): Resolver {
    const key = `${this.serverHash.toString('hex')}:${local.name}:${part}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = local[part].createResolver(remote[part]);
      } catch (error) {
        throw new AvroTransportError(`incompatible protocols: the ${part} of ${local.name} cannot be read: ${(error as Error).message}`);
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
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

// Server protocols by hash, shared by all clients of the process (the spec's client-side cache).
const remoteCache = new Map<string, Protocol>();

function cachedRemote(hash: Buffer): Protocol | undefined {
  return remoteCache.get(hash.toString('hex'));
}

function remoteProtocol(hash: Buffer, text: string): Protocol {
  const key = hash.toString('hex');
  let protocol = remoteCache.get(key);
  if (!protocol) {
    protocol = parseProtocol(text);
    remoteCache.set(key, protocol);
  }
  return protocol;
}
