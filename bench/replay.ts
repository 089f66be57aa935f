// The replay floor: a Node endpoint that talks to a reference peer without doing any RPC work. Its
// server answers every Thrift call with a reply made in advance (only the caller's sequence id is
// copied in); its client sends a call made in advance and checks the reply byte for byte. Against
// the same peer it is the least a Node client or server can do: what separates ours from it is our
// RPC work, what separates it from the peer's own pair is Node's event loop and system calls.
//
// Over HTTP the replay server (serveReplayHttp) is node:http answering each POST with the echo's
// reply made in advance, the caller's sequence id copied in, as our server's headers say: what
// Node's HTTP server costs before any Thrift work. The replay client (openReplayHttpClient) posts
// the call made in advance over a plain socket (replay-http.ts), as our HTTP client does.
//
// The messages are written here byte by byte (not with our Thrift codec) so that the floor owes
// nothing to the implementation it judges.
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import { CannedClient, fixedLength, LENGTH_PREFIXED, serveCanned, serveHttpCanned } from './canned.ts';
import { PAYLOAD_INT, payloadBytes, type Payload } from './protocol.ts';
import { HttpReplayClient } from './replay-http.ts';

const CALL = 1;
const REPLY = 2;

/**
 * Whether a replay endpoint can stand in for one side of this Thrift transport and protocol: framed
 * binary and compact, and unframed (buffered) binary. An unframed compact message has no fixed
 * length (its sequence id is a varint), so it could not be found without decoding it.
 */
export function replayable(family: string, transport: string, protocol: string): boolean {
  if (family !== 'thrift' || (protocol !== 'binary' && protocol !== 'compact')) return false;
  return transport === 'framed' || (transport === 'buffered' && protocol === 'binary');
}

/** Whether a replay server can stand in for ours: where replayable, and over HTTP (binary and compact bodies). */
export function replayServable(family: string, transport: string, protocol: string): boolean {
  return replayable(family, transport, protocol) || (family === 'thrift' && transport === 'http' && (protocol === 'binary' || protocol === 'compact'));
}

type Value = number | Buffer;

function echoOf(payload: Payload): { method: string; value: Value } {
  return payload.kind === 'int' ? { method: 'echoI32', value: PAYLOAD_INT } : { method: 'echoBinary', value: payloadBytes(payload.size) };
}

function uvarint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** A message in two parts around its sequence id: [head][seqid][tail]. */
interface Parts {
  readonly head: Buffer;
  readonly tail: Buffer;
}

/** TBinaryProtocol, strict: version and type, name, seqid; then a struct with one field and a stop. */
function binaryParts(method: string, type: number, fieldId: number, value: Value): Parts {
  const name = Buffer.from(method, 'utf8');
  const head = Buffer.concat([int32((0x80010000 | type) >> 0), int32(name.length), name]);
  const field = typeof value === 'number'
    ? Buffer.concat([Buffer.from([8, 0, fieldId]), int32(value)])
    : Buffer.concat([Buffer.from([11, 0, fieldId]), int32(value.length), value]);
  return { head, tail: Buffer.concat([field, Buffer.from([0])]) };
}

/** TCompactProtocol: 0x82, version and type, seqid (varint), name; then a struct with one field and a stop. */
function compactParts(method: string, type: number, fieldId: number, value: Value): Parts {
  const name = Buffer.from(method, 'utf8');
  const head = Buffer.from([0x82, (type << 5) | 1]);
  const tailHead = [...uvarint(name.length), ...name];
  const compactType = typeof value === 'number' ? 5 : 8;
  // A field id one above the last (0) is a delta in the type byte; id 0 is written long: type, then the id (zigzag varint of 0).
  const fieldHeader = fieldId === 1 ? [0x10 | compactType] : [compactType, 0];
  const body = typeof value === 'number' ? Buffer.from(uvarint(((value << 1) ^ (value >> 31)) >>> 0)) : Buffer.concat([Buffer.from(uvarint(value.length)), value]);
  return { head, tail: Buffer.concat([Buffer.from([...tailHead, ...fieldHeader]), body, Buffer.from([0])]) };
}

function partsOf(protocol: string, method: string, type: number, value: Value): Parts {
  const fieldId = type === CALL ? 1 : 0;
  return protocol === 'compact' ? compactParts(method, type, fieldId, value) : binaryParts(method, type, fieldId, value);
}

/** The whole message with this sequence id, framed when the transport is. */
function assemble(parts: Parts, seqid: Buffer, framed: boolean): Buffer {
  const length = parts.head.length + seqid.length + parts.tail.length;
  return Buffer.concat(framed ? [int32(length), parts.head, seqid, parts.tail] : [parts.head, seqid, parts.tail]);
}

function seqidBytes(protocol: string, seqid: number): Buffer {
  return protocol === 'compact' ? Buffer.from(uvarint(seqid)) : int32(seqid);
}

/** Where the caller's sequence id lies in a message (after the frame's length, when framed). */
function seqidOf(protocol: string, message: Buffer, start: number, headLength: number): Buffer {
  if (protocol !== 'compact') return message.subarray(start + headLength, start + headLength + 4);
  let end = start + headLength;
  while (end < message.length && ((message[end] as number) & 0x80) !== 0) end++;
  return message.subarray(start + headLength, end + 1);
}

export interface ReplaySpec {
  readonly transport: string;
  readonly protocol: string;
  readonly payload: Payload;
}

/**
 * A server answering every call with the echo's reply made in advance. Per connection and per
 * width of sequence id it keeps one reply and writes the caller's sequence id into it: with one call
 * in flight on a connection the previous reply has left the socket before the next call arrives.
 */
export function serveReplay(host: string, port: number, spec: ReplaySpec): Promise<Server> {
  const { call, reply, framed } = messageParts(spec);
  const requestLength = assemble(call, seqidBytes(spec.protocol, 0), framed).length;
  const start = framed ? 4 : 0;
  return serveCanned(host, port, {
    boundary: framed ? LENGTH_PREFIXED : fixedLength(requestLength),
    answerer: () => {
      const replies = new Map<number, Buffer>();
      return (message) => {
        const seqid = seqidOf(spec.protocol, message, start, call.head.length);
        let out = replies.get(seqid.length);
        if (!out) {
          out = assemble(reply, seqid, framed);
          replies.set(seqid.length, out);
        }
        seqid.copy(out, start + reply.head.length);
        return out;
      };
    },
  });
}

/** The replay server over HTTP: each POST's body is one call (unframed), answered with the reply, its sequence id copied in. */
export function serveReplayHttp(host: string, port: number, spec: ReplaySpec): Promise<HttpServer> {
  if (!replayServable('thrift', spec.transport, spec.protocol) || spec.transport !== 'http') throw new Error(`no HTTP replay for Thrift ${spec.transport} ${spec.protocol}`);
  const { method, value } = echoOf(spec.payload);
  const call = partsOf(spec.protocol, method, CALL, value);
  const reply = partsOf(spec.protocol, method, REPLY, value);
  // The sequence id follows the call's head: 4 bytes in binary, a varint of at most 5 in compact.
  return serveHttpCanned(host, port, {
    contentType: 'application/x-thrift', headBytes: call.head.length + 5,
    answer: (head) => assemble(reply, seqidOf(spec.protocol, head, 0, call.head.length), false),
  });
}

function messageParts(spec: ReplaySpec): { call: Parts; reply: Parts; framed: boolean } {
  if (!replayable('thrift', spec.transport, spec.protocol)) throw new Error(`no replay for Thrift ${spec.transport} ${spec.protocol}`);
  const { method, value } = echoOf(spec.payload);
  return { call: partsOf(spec.protocol, method, CALL, value), reply: partsOf(spec.protocol, method, REPLY, value), framed: spec.transport === 'framed' };
}

/** The bytes of the echo's call and its reply with sequence id 0, framed when the transport is. */
export function replayMessages(spec: ReplaySpec): { call: Buffer; reply: Buffer } {
  const { call, reply, framed } = messageParts(spec);
  const seqid = seqidBytes(spec.protocol, 0);
  return { call: assemble(call, seqid, framed), reply: assemble(reply, seqid, framed) };
}

/** One connection sending the echo's call made in advance (sequence id 0) and expecting its reply. */
export function openReplayClient(host: string, port: number, spec: ReplaySpec): Promise<CannedClient> {
  const { call, reply } = replayMessages(spec);
  return CannedClient.open(host, port, { request: call, answer: reply, boundary: spec.transport === 'framed' ? LENGTH_PREFIXED : fixedLength(reply.length) });
}

/** The replay client over HTTP: posts the echo's call made in advance (sequence id 0) to `path` and expects its reply, byte for byte. */
export async function openReplayHttpClient(host: string, port: number, path: string, spec: ReplaySpec): Promise<{ call(): Promise<void>; close(): void }> {
  if (!replayServable('thrift', spec.transport, spec.protocol) || spec.transport !== 'http') throw new Error(`no HTTP replay for Thrift ${spec.transport} ${spec.protocol}`);
  const { method, value } = echoOf(spec.payload);
  const seqid = seqidBytes(spec.protocol, 0);
  const reply = assemble(partsOf(spec.protocol, method, REPLY, value), seqid, false);
  const http = await HttpReplayClient.open(host, port, { path, contentType: 'application/x-thrift', body: assemble(partsOf(spec.protocol, method, CALL, value), seqid, false) });
  return {
    call: async () => {
      const answer = await http.call();
      if (!answer.equals(reply)) throw new Error(`the answer differs from the one expected (${answer.length} bytes: ${answer.subarray(0, 32).toString('hex')})`);
    },
    close: () => http.close(),
  };
}
