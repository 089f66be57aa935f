// Peer protocols learned in handshakes, and how their messages are read with ours.
//
// The handshake cache (the spec's "server and client cache protocols by hash") is where a peer
// could do lasting harm: before, the server cached whatever text came with a hash, so one
// request pairing a real client's MD5 with another protocol text broke every later client
// with that hash, and every new hash added a parsed protocol that was never released. Now:
// - a protocol text is cached only under the hash it hashes to (MD5 of the exact text, as Java,
//   Python, avsc and avro-js all compute it), whatever hash the peer claimed for it, so nobody
//   can plant a protocol under someone else's hash; a text whose claimed hash is not its own is
//   used for the exchange or connection that brought it, and found in the cache by its own hash
//   the next time it comes, so a peer that sends one text with ever new hashes costs one parse,
//   not one per request (3,000 such handshakes took 7 s of CPU when each was parsed anew);
// - the cache is bounded (least recently used first) in entries and in text size.
//
// Resolution follows the specification's rules rather than avsc's default: named types (records,
// enums, fixed) match when their unqualified names are equal or by alias (avsc compares full
// names unless told ignoreNamespaces); a message's request is an anonymous record of its
// parameters, matched by parameter name whatever name or namespace the peer's copy gives it.
import { md5, parseProtocol, ProtocolError, type MessageDefinition, type Protocol } from './protocol.ts';
import type { AvroType } from './types.ts';

export type Resolver = ReturnType<AvroType['createResolver']>;
export type MessagePart = 'request' | 'response' | 'errors';

/** Reads values the writer type wrote as the reader type, by the specification's resolution rules. */
export function createResolver(reader: AvroType, writer: AvroType): Resolver {
  return reader.createResolver(writer, { ignoreNamespaces: true } as Parameters<AvroType['createResolver']>[1]);
}

export class IncompatibleProtocols extends Error {
  override readonly name = 'IncompatibleProtocols';
}

export class PeerProtocol {
  readonly protocol: Protocol;
  /** Whether the text hashed to the hash it came with (only then is it cached). */
  readonly verified: boolean;
  /** Length of the text it was parsed from (what the cache counts). */
  readonly textLength: number;
  private readonly resolvers: Map<string, Resolver> = new Map();
  /** The same resolvers by local message definition (a weak map: local protocols come and go). */
  private readonly byMessage = new WeakMap<MessageDefinition, Partial<Record<MessagePart, Resolver>>>();

  constructor(protocol: Protocol, verified: boolean, textLength: number = protocol.text.length, resolvers?: Map<string, Resolver>) {
    this.protocol = protocol;
    this.verified = verified;
    this.textLength = textLength;
    if (resolvers) this.resolvers = resolvers;
  }

  /** The same protocol (and resolvers) for a peer that claimed a hash other than the text's own. */
  unverified(): PeerProtocol {
    return new PeerProtocol(this.protocol, false, this.textLength, this.resolvers);
  }

  /**
   * The resolver reading one part of a message between our definition and theirs. For requests
   * we read what they wrote (reader = ours); for responses and errors too (the client reads what
   * the server wrote, reader = ours again). Cached per local protocol and message.
   */
  resolver(local: Protocol, message: MessageDefinition, part: MessagePart): Resolver {
    // By the message definition's identity first: no key string is built per message.
    let known = this.byMessage.get(message);
    if (known === undefined) {
      known = {};
      this.byMessage.set(message, known);
    }
    let resolver = known[part];
    if (resolver === undefined) {
      resolver = this.resolverByHash(local, message, part);
      known[part] = resolver;
    }
    return resolver;
  }

  /** Shared by every local protocol object with the same text (same hash): one resolver each. */
  private resolverByHash(local: Protocol, message: MessageDefinition, part: MessagePart): Resolver {
    const key = `${hexOf(local)}:${message.name}:${part}`;
    let resolver = this.resolvers.get(key);
    if (resolver) return resolver;
    const theirs = this.protocol.messages.get(message.name);
    if (!theirs) throw new IncompatibleProtocols(`the peer's protocol ${this.protocol.fullName} has no message ${message.name}`);
    try {
      resolver = createResolver(message[part], theirs[part]);
    } catch (error) {
      throw new IncompatibleProtocols(`incompatible protocols: the ${part} of ${message.name} cannot be read (${(error as Error).message})`);
    }
    this.resolvers.set(key, resolver);
    return resolver;
  }
}

/** Protocol hashes in hex, computed once per protocol (resolver keys are built on every message). */
const hashHex = new WeakMap<Protocol, string>();
function hexOf(protocol: Protocol): string {
  let hex = hashHex.get(protocol);
  if (hex === undefined) {
    hex = protocol.hash.toString('hex');
    hashHex.set(protocol, hex);
  }
  return hex;
}

export interface CacheLimits {
  readonly maxCachedProtocols: number;
  readonly maxCachedProtocolChars: number;
}

/** Parses a peer's protocol text; errors say whose text it was. */
export function parsePeerProtocol(text: string, role: 'client' | 'server'): Protocol {
  try {
    return parseProtocol(text);
  } catch (error) {
    throw new ProtocolError(`${role} ${(error as Error).message}`);
  }
}

export class ProtocolCache {
  private readonly entries = new Map<string, PeerProtocol>();
  /** The key set or used last (the Map's last entry). */
  private newest: string | undefined;
  private chars = 0;
  private readonly limits: CacheLimits;

  constructor(limits: CacheLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.entries.size;
  }

  get textChars(): number {
    return this.chars;
  }

  get(hash: Buffer): PeerProtocol | undefined {
    const key = hash.toString('hex');
    const entry = this.entries.get(key);
    // Made the most recent, unless it is already: over HTTP every request handshakes, and a delete
    // and a set per request on this long-lived Map allocated in V8's old generation (wire/waiting.ts).
    if (entry && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.newest = key;
    }
    return entry;
  }

  /**
   * The peer protocol for the text that came with a hash. Parsed once and cached under the text's
   * own hash; when the claimed hash is another, the protocol is returned marked unverified (and
   * the claimed hash finds nothing in the cache).
   */
  learn(hash: Buffer, text: string, role: 'client' | 'server'): PeerProtocol {
    const own = md5(text);
    let peer = this.get(own);
    if (!peer) {
      peer = new PeerProtocol(parsePeerProtocol(text, role), true, text.length);
      this.put(own.toString('hex'), peer);
    }
    return own.equals(hash) ? peer : peer.unverified();
  }

  private put(key: string, peer: PeerProtocol): void {
    if (peer.textLength > this.limits.maxCachedProtocolChars || this.limits.maxCachedProtocols < 1) return;
    this.entries.set(key, peer);
    this.newest = key;
    this.chars += peer.textLength;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxCachedProtocols && this.chars <= this.limits.maxCachedProtocolChars) break;
      this.entries.delete(oldest);
      this.chars -= entry.textLength;
    }
  }
}
