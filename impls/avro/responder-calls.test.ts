// The responder on an established connection: calls of one message after another, as a stream
// server hands them over (one payload each), answered right whatever the order of messages. The
// responder remembers the last message called on the connection by its name's bytes (responder.ts
// LastCall); these calls switch between messages, repeat them, and send names the cache must not
// take for the last one.
import { describe, expect, it } from 'vitest';
import { BOOLEAN_TYPE, encodeCallHeader, META_TYPE } from './call.ts';
import { encodeHandshakeRequest } from './handshake.ts';
import { PayloadReader } from './payload.ts';
import { AvroResponder } from './responder.ts';
import { echoHandlers, loadProtocol } from './testing/fixtures.ts';

const protocol = loadProtocol('conformance');

function request(name: string, parameters: Record<string, unknown>, handshake = false): Buffer {
  const message = protocol.messages.get(name);
  const body = message ? message.request.toBuffer(parameters) : Buffer.alloc(0);
  const call = Buffer.concat([encodeCallHeader({}, name), body]);
  if (!handshake) return call;
  return Buffer.concat([encodeHandshakeRequest({ clientHash: protocol.hash, clientProtocol: null, serverHash: protocol.hash, meta: null }), call]);
}

/** The response's value, or the system error's text. */
function answerOf(responder: AvroResponder, payload: Buffer, connection: ReturnType<AvroResponder['newConnection']>, name: string): unknown {
  const answer = responder.answer(payload, connection);
  if (answer instanceof Promise || answer === undefined) throw new Error('expected a synchronous answer');
  const reader = new PayloadReader(Buffer.concat(answer));
  reader.read(META_TYPE);
  const isError = reader.read<boolean>(BOOLEAN_TYPE);
  if (isError) {
    // System errors are the string branch (0) of every message's error union.
    const error = reader.read<Record<string, unknown>>((protocol.messages.get(name) ?? protocol.messages.get('echoInt'))?.errors as never);
    return { error: error['string'] ?? error };
  }
  return reader.read(protocol.messages.get(name)?.response as never);
}

describe('the responder on an established connection', () => {
  it('answers calls of several messages in any order, each with its own types', () => {
    const responder = new AvroResponder(protocol, echoHandlers(protocol));
    const connection = responder.newConnection();
    const first = responder.answer(request('echoInt', { value: 1 }, true), connection);
    expect(first instanceof Promise || first === undefined).toBe(false);
    expect(connection.remote).toBeDefined();
    const calls: Array<[string, Record<string, unknown>, unknown]> = [
      ['echoInt', { value: 2 }, 2],
      ['echoInt', { value: -3 }, -3],
      ['echoLong', { value: 7n }, 7n],
      ['echoInt', { value: 4 }, 4],
      ['echoString', { value: 'echoInt' }, 'echoInt'], // a value that spells the last message's name
      ['echoString', { value: '' }, ''],
      ['add', { a: 2n, b: 40n }, 42n],
      ['echoInt', { value: 5 }, 5],
    ];
    for (const [name, parameters, expected] of calls) {
      expect(answerOf(responder, request(name, parameters), connection, name), name).toEqual(expected);
      expect(connection.lastCall?.name).toBe(name);
    }
  });

  it('answers a message it does not know with an error, also right after a known one, and goes on', () => {
    const responder = new AvroResponder(protocol, echoHandlers(protocol));
    const connection = responder.newConnection();
    responder.answer(request('echoInt', { value: 1 }, true), connection);
    expect(answerOf(responder, request('echoInt', { value: 2 }), connection, 'echoInt')).toBe(2);
    // "echoIn" and "echoIntX" share bytes with "echoInt"; the length in front of a name tells them apart.
    for (const unknown of ['echoIn', 'echoIntX', 'nope']) {
      expect(answerOf(responder, Buffer.concat([encodeCallHeader({}, unknown), Buffer.from([4])]), connection, unknown)).toEqual({ error: `No such remote message: ${unknown}` });
    }
    expect(answerOf(responder, request('echoInt', { value: 3 }), connection, 'echoInt')).toBe(3);
    // The same name with trailing bytes after its parameters is still refused.
    expect(answerOf(responder, Buffer.concat([request('echoInt', { value: 3 }), Buffer.from([1])]), connection, 'echoInt')).toEqual({ error: 'request for echoInt has trailing bytes' });
  });

  it('keeps what it remembers per connection', () => {
    const responder = new AvroResponder(protocol, echoHandlers(protocol));
    const a = responder.newConnection();
    const b = responder.newConnection();
    responder.answer(request('echoInt', { value: 1 }, true), a);
    responder.answer(request('echoString', { value: 's' }, true), b);
    expect(answerOf(responder, request('echoString', { value: 't' }), b, 'echoString')).toBe('t');
    expect(answerOf(responder, request('echoInt', { value: 9 }), a, 'echoInt')).toBe(9);
    expect([a.lastCall?.name, b.lastCall?.name]).toEqual(['echoInt', 'echoString']);
  });
});
