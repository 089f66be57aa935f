// The responder on stateless requests (HTTP): every request carries a handshake. A hash-only one
// the responder answered last is known again by its bytes (responder.ts lastHandshake), and the
// last message called by its name's bytes; these requests check that what is remembered never
// answers differently from reading the request afresh.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BOOLEAN_TYPE, encodeCallHeader, META_TYPE } from './call.ts';
import { encodeHandshakeRequest, HANDSHAKE_RESPONSE_TYPE, type HandshakeRequest, type Meta, toHandshakeResponse } from './handshake.ts';
import { PayloadReader } from './payload.ts';
import { AvroResponder } from './responder.ts';
import { echoHandlers, loadProtocol, protocolText } from './testing/fixtures.ts';

const protocol = loadProtocol('conformance');

/** The conformance protocol as another client writes it: the same messages, another text and hash. */
function clientText(doc: string): { text: string; hash: Buffer } {
  const text = JSON.stringify({ ...(JSON.parse(protocolText('conformance')) as object), doc });
  return { text, hash: createHash('md5').update(text).digest() };
}

function request(handshake: HandshakeRequest, name: string, parameters: Record<string, unknown>): Buffer {
  const message = protocol.messages.get(name);
  if (!message) throw new Error(`no message ${name}`);
  const body = message.request.toBuffer(parameters);
  return Buffer.concat([encodeHandshakeRequest(handshake), encodeCallHeader({}, name), body]);
}

/** The handshake's match and, when the call was answered, its value. */
function answerOf(responder: AvroResponder, payload: Buffer, name: string): { match: string; value?: unknown } {
  const answer = responder.answer(payload);
  if (answer instanceof Promise || answer === undefined) throw new Error('expected a synchronous answer');
  const reader = new PayloadReader(Buffer.concat(answer));
  const { match } = toHandshakeResponse(reader.read(HANDSHAKE_RESPONSE_TYPE));
  if (reader.atEnd) return { match };
  reader.read(META_TYPE);
  if (reader.read<boolean>(BOOLEAN_TYPE)) throw new Error('the call failed');
  return { match, value: reader.read(protocol.messages.get(name)?.response as never) };
}

const hashOnly = (clientHash: Buffer, meta: Meta | null = null): HandshakeRequest => ({ clientHash, clientProtocol: null, serverHash: protocol.hash, meta });

describe('the responder on stateless requests', () => {
  it('answers the same hash-only handshake the same way every time, and reports each', () => {
    const seen: string[] = [];
    const responder = new AvroResponder(protocol, echoHandlers(protocol), { handshake: (request, response) => seen.push(`${request.clientHash.toString('hex')} ${response.match}`) });
    const calls: Array<[string, Record<string, unknown>, unknown]> = [
      ['echoInt', { value: 1 }, 1], ['echoInt', { value: 2 }, 2], ['echoString', { value: 'echoInt' }, 'echoInt'],
      ['add', { a: 2n, b: 40n }, 42n], ['echoInt', { value: 3 }, 3],
    ];
    for (const [name, parameters, expected] of calls) {
      expect(answerOf(responder, request(hashOnly(protocol.hash), name, parameters), name)).toEqual({ match: 'BOTH', value: expected });
    }
    expect(seen).toEqual(calls.map(() => `${protocol.hash.toString('hex')} BOTH`));
  });

  it('answers NONE to a hash-only handshake whose protocol the cache has let go since', () => {
    const responder = new AvroResponder(protocol, echoHandlers(protocol), {}, { limits: { maxCachedProtocols: 1 } });
    const a = clientText('client a');
    const b = clientText('client b');
    expect(answerOf(responder, request({ ...hashOnly(a.hash), clientProtocol: a.text }, 'echoInt', { value: 1 }), 'echoInt')).toEqual({ match: 'BOTH', value: 1 });
    expect(answerOf(responder, request(hashOnly(a.hash), 'echoInt', { value: 2 }), 'echoInt')).toEqual({ match: 'BOTH', value: 2 });
    expect(answerOf(responder, request(hashOnly(a.hash), 'echoInt', { value: 3 }), 'echoInt')).toEqual({ match: 'BOTH', value: 3 });
    // Client b's protocol takes the cache's one place.
    expect(answerOf(responder, request({ ...hashOnly(b.hash), clientProtocol: b.text }, 'echoInt', { value: 4 }), 'echoInt')).toEqual({ match: 'BOTH', value: 4 });
    expect(answerOf(responder, request(hashOnly(a.hash), 'echoInt', { value: 5 }), 'echoInt')).toEqual({ match: 'NONE' });
    expect(answerOf(responder, request(hashOnly(b.hash), 'echoInt', { value: 6 }), 'echoInt')).toEqual({ match: 'BOTH', value: 6 });
  });

  it('gives each request the handshake meta it carried', () => {
    const handlers = { ...echoHandlers(protocol), echoString: (_: Record<string, unknown>, context: { handshakeMeta: Meta | null }) => context.handshakeMeta?.['who']?.toString() ?? 'none' };
    const responder = new AvroResponder(protocol, handlers);
    const metas: Array<Meta | null> = [null, { who: Buffer.from('x') }, null, null, { who: Buffer.from('y') }, { who: Buffer.from('y') }, {}, {}, null, {}];
    for (const meta of metas) {
      expect(answerOf(responder, request(hashOnly(protocol.hash, meta), 'echoString', { value: '' }), 'echoString').value).toBe(meta?.['who']?.toString() ?? 'none');
    }
  });

  // Java's clients send an empty map: each request gets an empty map of its own, whatever a
  // handler did with the last one's.
  it('gives each request with an empty handshake meta an empty map of its own', () => {
    const given: Array<Meta | null> = [];
    const sizes: number[] = [];
    const handlers = { ...echoHandlers(protocol), echoInt: ({ value }: Record<string, unknown>, context: { handshakeMeta: Meta | null }) => {
      given.push(context.handshakeMeta);
      sizes.push(Object.keys(context.handshakeMeta ?? { none: 1 }).length);
      if (context.handshakeMeta) context.handshakeMeta['added'] = Buffer.from('by a handler');
      return value;
    } };
    const reported: number[] = [];
    const responder = new AvroResponder(protocol, handlers, { handshake: (request, response) => reported.push(Object.keys(request.meta ?? {}).length + Object.keys(response.meta ?? {}).length) });
    for (let i = 0; i < 3; i++) expect(answerOf(responder, request(hashOnly(protocol.hash, {}), 'echoInt', { value: i }), 'echoInt')).toEqual({ match: 'BOTH', value: i });
    expect(sizes).toEqual([0, 0, 0]);
    expect(new Set(given).size).toBe(3);
    expect(reported).toEqual([0, 0, 0]);
  });
});
