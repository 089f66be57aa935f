// The public API of the project's Avro RPC implementation.
//
//   const protocol = parseProtocol(readFileSync('mail.avpr', 'utf8'));
//   const server = await listen('tcp://127.0.0.1:9090', protocol, { send: ({ message }) => '...' });
//   const client = await connectClient('tcp://127.0.0.1:9090', protocol);
//   await client.call('send', { message: { to, from, body } });
//
// URL schemes: http:// (stateless, standard framing in the body), tcp:// (stateful, standard
// framing: Java SocketServer), netty:// (stateful, Netty framing: Java NettyServer, Flume),
// avro:// (SASL ANONYMOUS then standard framing: Java SaslSocketServer, avro-tools),
// netty-deflate:// (Netty framing in a zlib stream both ways: Flume's compression-type deflate).
//
// Hostile or broken peers meet limits (limits.ts; every field can be set per server or client):
// declared counts and lengths are checked against the bytes present before anything is
// allocated, messages and frames are bounded in size, servers bound connections, time and
// unread answers, and the handshake caches hold only verified protocols, least recently used
// first (peers.ts).
import { AvroClient, type ClientOptions } from './client.ts';
import type { FrameCodec } from './framing/codec.ts';
import { nettyCodec, nettyDeflateCodec } from './framing/netty.ts';
import { saslClientCodec, saslServerCodec } from './framing/sasl.ts';
import { standardCodec } from './framing/standard.ts';
import { httpClientTransport } from './http/transport.ts';
import { serveHttp, type ListeningServer } from './http/handler.ts';
import { resolveLimits, type Limits } from './limits.ts';
import type { Protocol } from './protocol.ts';
import { AvroResponder, type Handlers, type ResponderEvents } from './responder.ts';
import { socketClientTransport } from './socket/transport.ts';
import { serveSocket } from './socket/handler.ts';
import type { ConnectionRecorders, WireRecorder } from '../wire/recorder.ts';

export { AvroClient, type ClientOptions } from './client.ts';
export { AvroResponder, type Handlers, type CallContext } from './responder.ts';
export { parseProtocol, type Protocol } from './protocol.ts';
export { AvroRemoteError, AvroSystemError, AvroTransportError, raise } from './errors.ts';
export { DEFAULT_LIMITS, FramingError, LimitError, resolveLimits, type Limits } from './limits.ts';
export { ProtocolError } from './protocol.ts';
export { WireTrace, ServerWireLog, type WireRecorder, type ConnectionRecorders } from '../wire/recorder.ts';
export type { ListeningServer } from './http/handler.ts';

export const SCHEMES = ['http', 'tcp', 'netty', 'avro', 'netty-deflate'] as const;
export type Scheme = (typeof SCHEMES)[number];

function schemeOf(url: URL): Scheme {
  const scheme = url.protocol.replace(/:$/, '');
  if (!(SCHEMES as readonly string[]).includes(scheme)) throw new Error(`unsupported Avro URL scheme ${scheme}: (use ${SCHEMES.join(', ')})`);
  return scheme as Scheme;
}

function socketCodec(scheme: Exclude<Scheme, 'http'>, side: 'client' | 'server', limits: Limits): FrameCodec {
  if (scheme === 'netty') return nettyCodec(limits);
  if (scheme === 'netty-deflate') return nettyDeflateCodec(limits);
  if (scheme === 'avro') return side === 'client' ? saslClientCodec(limits) : saslServerCodec(limits);
  return standardCodec(limits);
}

export interface ConnectOptions extends ClientOptions {
  /** Any subset of the limits; the rest keep their defaults (DEFAULT_LIMITS). */
  readonly limits?: Partial<Limits>;
  readonly recorder?: WireRecorder;
}

export async function connectClient(address: string, protocol: Protocol, options: ConnectOptions = {}): Promise<AvroClient> {
  const url = new URL(address);
  const scheme = schemeOf(url);
  const limits = resolveLimits(options.limits);
  const transport = scheme === 'http'
    ? httpClientTransport(url, { limits, timeoutMs: options.timeoutMs, recorder: options.recorder })
    : await socketClientTransport({
      host: url.hostname, port: Number(url.port), codec: socketCodec(scheme, 'client', limits),
      timeoutMs: options.timeoutMs, recorder: options.recorder,
    });
  return new AvroClient(protocol, transport, { ...options, limits });
}

export interface ListenOptions {
  /** Any subset of the limits; the rest keep their defaults (DEFAULT_LIMITS). */
  readonly limits?: Partial<Limits>;
  readonly events?: ResponderEvents;
  readonly log?: (line: string) => void;
  /** Records every connection's bytes (see impls/wire/recorder.ts). */
  readonly recorders?: ConnectionRecorders;
}

export interface AvroServer extends ListeningServer {
  readonly responder: AvroResponder;
}

export async function listen(address: string, protocol: Protocol, handlers: Handlers, options: ListenOptions = {}): Promise<AvroServer> {
  const url = new URL(address);
  const scheme = schemeOf(url);
  const limits = resolveLimits(options.limits);
  const responder = new AvroResponder(protocol, handlers, options.events, { limits });
  const where = { host: url.hostname, port: Number(url.port), log: options.log, recorders: options.recorders, limits };
  const server = scheme === 'http'
    ? await serveHttp(responder, where)
    : await serveSocket(responder, { ...where, codec: socketCodec(scheme, 'server', limits) });
  return { ...server, responder };
}
