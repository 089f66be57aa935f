// The replay floor for Avro's stream transports (tcp, sasl, netty): a Node endpoint that talks to a
// reference peer without doing any RPC work, as replay.ts does for Thrift. The bytes come from
// replay-avro-wire.ts, written by hand, not with our codec.
//
// Avro's stream transports are stateful: the first call on a connection carries the handshake, the
// later ones do not (spec "Handshake").
//
// - The replay server answers the first message of a connection with a handshake response made in
//   advance (match BOTH: it claims to know the client's protocol, so no protocol text need be sent)
//   followed by the echo's response, and every later message with the response alone. It reads only
//   as far as the framing needs to find a message's end; on Netty it copies the request's serial
//   into the answer. On SASL it first answers the client's ANONYMOUS start with COMPLETE.
// - The replay client sends, as its first call, a handshake that the reference server must answer
//   BOTH and the echo's call, then the call alone, and checks each answer byte for byte. BOTH needs
//   serverHash = the server's own protocol hash and a clientHash the server knows without protocol
//   text: its own hash again (Java's Responder and Python's put their own protocol in their cache).
//   Each implementation hashes its own rendering of the protocol (Java and Python differ), so the
//   client learns the hash when it connects, before its calls: a handshake of zero hashes, which
//   the server answers NONE with its hash (spec: a NONE may carry it; Java and Python always do).
//
// Over HTTP the replay server (serveAvroHttpReplay) is node:http answering every POST, whatever its
// body, with the handshake response BOTH and the echo's response, as the stateless transport
// answers each request (spec: every HTTP request carries a handshake): what Node's HTTP server
// costs before any Avro work. The replay client (AvroHttpReplayClient) posts over a plain socket
// (replay-http.ts), as our HTTP client does: every request the handshake that the server answers
// BOTH and the echo's call.
//
// What the client checks is the message inside the framing: how a server cuts a message into
// buffers is its own (spec: "Any message may be presented as a single or multiple buffers"; Java
// writes the handshake and the response's parts as buffers of their own, Python cuts at 8 KiB).
import type { Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'node:net';
import { connect } from 'node:net';
import { serveConversations, serveHttpCanned, type Conversation } from './canned.ts';
import type { Payload } from './protocol.ts';
import { HttpReplayClient } from './replay-http.ts';
import {
  callRequest, callResponse, HANDSHAKE_BOTH, handshakeRequest, MD5_BYTES, nettyPack, NettyFramingReader, PING, SASL_COMPLETE, saslStart,
  SaslStartReader, serverHashOf, standardFramed, StandardFramingReader, type FrameSink, type FramingReader,
} from './replay-avro-wire.ts';

const TRANSPORTS = new Set(['tcp', 'sasl', 'netty']);
/** The content type of Avro's HTTP transport (spec "HTTP as Transport"). */
const AVRO_HTTP_CONTENT_TYPE = 'avro/binary';

/** Whether a replay endpoint can stand in for either side of this Avro transport: the stream transports. */
export function avroReplayable(family: string, transport: string): boolean {
  return family === 'avro' && TRANSPORTS.has(transport);
}

/** Whether a replay server can stand in for ours on this Avro transport: the stream transports and HTTP. */
export function avroReplayServable(family: string, transport: string): boolean {
  return avroReplayable(family, transport) || (family === 'avro' && transport === 'http');
}

export interface AvroReplaySpec {
  readonly transport: string;
  readonly payload: Payload;
}

/** The serial of every pack the replay client sends (Java's NettyTransceiver numbers its first call 1). */
export const REPLAY_SERIAL = 1;
/** The trace the replay client gives as its ANONYMOUS initial response. */
const SASL_TRACE = 'replay';

/** The echo's messages (inside the framing), with the server hash the first request presents twice. */
export function avroReplayMessages(payload: Payload, serverHash: Buffer): { firstRequest: Buffer; request: Buffer; firstAnswer: Buffer; answer: Buffer } {
  const request = callRequest(payload);
  const answer = callResponse(payload);
  return {
    firstRequest: Buffer.concat([handshakeRequest(serverHash, serverHash), request]), request,
    firstAnswer: Buffer.concat([HANDSHAKE_BOTH, answer]), answer,
  };
}

/** What the replay client sends first to learn the server's hash: zero hashes, and a ping. */
export const HASH_PROBE = Buffer.concat([handshakeRequest(Buffer.alloc(MD5_BYTES), Buffer.alloc(MD5_BYTES)), PING]);

function check(spec: AvroReplaySpec): void {
  if (!avroReplayable('avro', spec.transport)) throw new Error(`no replay for Avro ${spec.transport}`);
}

function framed(transport: string, message: Buffer): Buffer {
  return transport === 'netty' ? nettyPack(REPLAY_SERIAL, message) : standardFramed(message);
}

function framingReader(transport: string, sink: FrameSink): FramingReader {
  return transport === 'netty' ? new NettyFramingReader(sink) : new StandardFramingReader(sink);
}

/** A server answering the echo with messages made in advance (see the top of this file). */
export function serveAvroReplay(host: string, port: number, spec: AvroReplaySpec): Promise<Server> {
  check(spec);
  const answer = callResponse(spec.payload);
  const firstAnswer = Buffer.concat([HANDSHAKE_BOTH, answer]);
  // Standard framing has nothing of the request in the answer: one pair of buffers for every connection.
  const shared = spec.transport === 'netty' ? undefined : { first: standardFramed(firstAnswer), later: standardFramed(answer) };
  return serveConversations(host, port, (socket: Socket): Conversation => {
    // Netty: per connection, the serial is written into the answer; with one call in flight on a
    // connection the previous answer has left the socket before the next request arrives.
    const answers = shared ?? { first: nettyPack(0, firstAnswer), later: nettyPack(0, answer) };
    let established = false;
    const reader = framingReader(spec.transport, {
      content: () => undefined,
      end: (serial) => {
        const out = established ? answers.later : answers.first;
        if (serial !== undefined) out.writeInt32BE(serial, 0);
        established = true;
        socket.write(out);
      },
    });
    if (spec.transport !== 'sasl') return (chunk) => reader.push(chunk);
    let negotiation: SaslStartReader | undefined = new SaslStartReader();
    return (chunk) => {
      if (!negotiation) return reader.push(chunk);
      const started = negotiation.push(chunk);
      if (!started) return;
      negotiation = undefined;
      socket.write(SASL_COMPLETE);
      if (started.rest.length > 0) reader.push(started.rest);
    };
  });
}

/** The replay server over HTTP: every POST answered with the canned handshake response and echo response. */
export function serveAvroHttpReplay(host: string, port: number, payload: Payload): Promise<HttpServer> {
  const body = standardFramed(Buffer.concat([HANDSHAKE_BOTH, callResponse(payload)]));
  return serveHttpCanned(host, port, { contentType: AVRO_HTTP_CONTENT_TYPE, headBytes: 0, answer: () => body });
}

type Step = { readonly kind: 'sasl'; have: Buffer[]; length: number } | { readonly kind: 'collect'; pieces: Buffer[] } | { readonly kind: 'check'; offset: number; mismatch?: string };

/** One connection to a reference server: call() sends the next canned call and resolves when its answer matched. */
export class AvroReplayClient implements FrameSink {
  private readonly socket: Socket;
  private readonly spec: AvroReplaySpec;
  private readonly reader: FramingReader;
  private step: Step | undefined;
  private waiting: { resolve: (answer: Buffer) => void; reject: (error: Error) => void } | undefined;
  private expected: Buffer = Buffer.alloc(0);
  private messages: { first: Buffer; later: Buffer; firstAnswer: Buffer; answer: Buffer } | undefined;
  private established = false;
  private closed: Error | undefined;

  private constructor(socket: Socket, spec: AvroReplaySpec) {
    this.socket = socket;
    this.spec = spec;
    this.reader = framingReader(spec.transport, this);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.read(chunk);
      } catch (error) {
        this.fail(error as Error);
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the connection closed')));
  }

  /** Connects, negotiates SASL where the transport has it, and learns the server's hash; within timeoutMs. */
  static async open(host: string, port: number, spec: AvroReplaySpec, timeoutMs: number): Promise<AvroReplayClient> {
    check(spec);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port, noDelay: true }, () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const client = new AvroReplayClient(socket, spec);
    const timer = setTimeout(() => client.fail(new Error(`the replay client's set-up took more than ${timeoutMs} ms`)), timeoutMs);
    try {
      await client.setUp();
      return client;
    } catch (error) {
      client.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async setUp(): Promise<void> {
    if (this.spec.transport === 'sasl') {
      const answer = await this.exchange(saslStart(SASL_TRACE), { kind: 'sasl', have: [], length: 0 });
      if (!answer.equals(SASL_COMPLETE)) throw new Error(`the server answered the SASL start with ${answer.toString('hex')}, not COMPLETE (${SASL_COMPLETE.toString('hex')})`);
    }
    const probe = await this.exchange(framed(this.spec.transport, HASH_PROBE), { kind: 'collect', pieces: [] });
    const m = avroReplayMessages(this.spec.payload, serverHashOf(probe));
    this.messages = { first: framed(this.spec.transport, m.firstRequest), later: framed(this.spec.transport, m.request), firstAnswer: m.firstAnswer, answer: m.answer };
  }

  /** The next call: the first carries the handshake. Rejects when the answer differs from the one made in advance. */
  call(): Promise<void> {
    const messages = this.messages;
    if (!messages) return Promise.reject(new Error('the replay client is not set up'));
    this.expected = this.established ? messages.answer : messages.firstAnswer;
    const request = this.established ? messages.later : messages.first;
    return new Promise((resolve, reject) => this.send(request, { kind: 'check', offset: 0 }, () => resolve(), reject));
  }

  /** A set-up exchange: resolves with the answer's bytes. */
  private exchange(request: Buffer, step: Step): Promise<Buffer> {
    return new Promise((resolve, reject) => this.send(request, step, resolve, reject));
  }

  private send(request: Buffer, step: Step, resolve: (answer: Buffer) => void, reject: (error: Error) => void): void {
    if (this.closed) {
      reject(this.closed);
      return;
    }
    if (this.waiting) {
      reject(new Error('one call at a time per connection'));
      return;
    }
    this.step = step;
    this.waiting = { resolve, reject };
    this.socket.write(request);
  }

  private read(chunk: Buffer): void {
    const step = this.step;
    if (step?.kind !== 'sasl') {
      this.reader.push(chunk);
      return;
    }
    // The SASL answer has a known length: COMPLETE and an empty buffer.
    step.have.push(chunk);
    step.length += chunk.length;
    if (step.length < SASL_COMPLETE.length) return;
    const all = Buffer.concat(step.have);
    if (all.length > SASL_COMPLETE.length) throw new Error(`${all.length - SASL_COMPLETE.length} bytes after the SASL answer, before any call`);
    this.settle(all);
  }

  /** FrameSink: a piece of the answer under way. */
  content(piece: Buffer): void {
    const step = this.step;
    if (step?.kind === 'collect') {
      step.pieces.push(piece);
    } else if (step?.kind === 'check') {
      const end = step.offset + piece.length;
      if (step.mismatch === undefined && (end > this.expected.length || this.expected.compare(piece, 0, piece.length, step.offset, end) !== 0)) {
        step.mismatch = `differs from the one expected at or after byte ${step.offset} (${piece.subarray(0, 32).toString('hex')})`;
      }
      step.offset = end;
    } else {
      throw new Error('an answer nobody waited for');
    }
  }

  /** FrameSink: the answer ended. */
  end(serial: number | undefined): void {
    const step = this.step;
    if (serial !== undefined && serial !== REPLAY_SERIAL) throw new Error(`an answer with serial ${serial}, not ${REPLAY_SERIAL}`);
    if (step?.kind === 'collect') {
      this.settle(Buffer.concat(step.pieces));
      return;
    }
    if (step?.kind !== 'check') throw new Error('an answer nobody waited for');
    if (step.mismatch !== undefined) throw new Error(`the answer ${step.mismatch}`);
    if (step.offset !== this.expected.length) throw new Error(`an answer of ${step.offset} bytes where ${this.expected.length} were expected`);
    this.established = true;
    this.settle(this.expected);
  }

  private settle(answer: Buffer): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.step = undefined;
    waiting?.resolve(answer);
  }

  private fail(error: Error): void {
    this.closed ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    this.step = undefined;
    waiting?.reject(error);
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.closed ??= new Error('closed');
    this.socket.destroy();
  }
}

/** The message inside a standard-framed body (its buffers joined), or an error when the body is not one whole message. */
function unframed(body: Buffer): Buffer {
  const pieces: Buffer[] = [];
  let ended = false;
  new StandardFramingReader({
    content: (piece) => pieces.push(piece),
    end: () => {
      if (ended) throw new Error('an answer of more than one message');
      ended = true;
    },
  }).push(body);
  if (!ended) throw new Error(`an answer whose framing does not end (${body.length} bytes)`);
  return Buffer.concat(pieces);
}

/**
 * The replay client over HTTP (replay-http.ts): learns the server's hash with one probe, then
 * posts, for every call, the handshake that presents it and the echo's request (HTTP is stateless:
 * every request carries a handshake), and checks the answer inside its framing against the
 * handshake response BOTH and the echo's response made in advance.
 */
export class AvroHttpReplayClient {
  private readonly http: HttpReplayClient;
  private readonly expected: Buffer;

  private constructor(http: HttpReplayClient, expected: Buffer) {
    this.http = http;
    this.expected = expected;
  }

  static async open(host: string, port: number, payload: Payload): Promise<AvroHttpReplayClient> {
    const probe = await HttpReplayClient.open(host, port, { path: '/', contentType: AVRO_HTTP_CONTENT_TYPE, body: standardFramed(HASH_PROBE) });
    let serverHash: Buffer;
    try {
      serverHash = serverHashOf(unframed(await probe.call()));
    } finally {
      probe.close();
    }
    const m = avroReplayMessages(payload, serverHash);
    const http = await HttpReplayClient.open(host, port, { path: '/', contentType: AVRO_HTTP_CONTENT_TYPE, body: standardFramed(m.firstRequest) });
    return new AvroHttpReplayClient(http, m.firstAnswer);
  }

  async call(): Promise<void> {
    const answer = unframed(await this.http.call());
    if (!answer.equals(this.expected)) throw new Error(`the answer differs from the one expected (${answer.length} bytes: ${answer.subarray(0, 32).toString('hex')})`);
  }

  close(): void {
    this.http.close();
  }
}
