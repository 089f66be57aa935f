// What our server answers, as Java's and Python's processors do: declared exceptions in their
// field, TApplicationException passed through, INTERNAL_ERROR for undeclared errors, UNKNOWN_METHOD
// for unknown methods and services, nothing for one-way calls; and our client's pipelining.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApplicationErrorType, connect, DeclaredException, loadIdl, RawConnection, decodeAnswer, encodeMessage, MessageType, serve, TApplicationException,
  ValueError, type Handlers, type ThriftServer,
} from './index.ts';
import { IDL_PATH } from '../../suites/thrift/catalogue.ts';
import { thriftHandlers } from '../../suites/thrift/semantics.ts';
import { ourHandlers } from './adapter.ts';

const idl = loadIdl(IDL_PATH);
/** The suite's server semantics (suites/thrift/semantics.ts) in our handlers' terms, as the adapter serves them. */
const conformanceHandlers = (): Handlers => ourHandlers(thriftHandlers(), ['Conformance', 'Secondary']);
const servers: ThriftServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(protocol: string, handlers: Handlers, defaultService?: string, log: string[] = []): Promise<number> {
  const server = await serve({ transport: 'framed', protocol, host: '127.0.0.1', port: 0 }, idl, handlers, { defaultService, onReject: () => undefined, log: (l) => log.push(l) });
  servers.push(server);
  return server.port;
}

describe('our server\'s answers', () => {
  it('routes multiplexed names, answers UNKNOWN_METHOD for an unknown service and for a plain name without a default service', async () => {
    const port = await start('multiplexed-binary', conformanceHandlers());
    const client = await connect({ transport: 'framed', protocol: 'multiplexed-binary', host: '127.0.0.1', port }, idl, { timeoutMs: 5000 });
    expect(await client.call('Secondary', 'echoString', { value: 'x' })).toBe('secondary:x');
    expect(await client.call('Conformance', 'echoString', { value: 'x' })).toBe('x');
    await client.close();
    const raw = await RawConnection.open({ transport: 'framed', protocol: 'binary', host: '127.0.0.1', port });
    await raw.send(encodeMessage('binary', 'Nowhere:ping', MessageType.CALL, 3));
    expect(decodeAnswer(idl, 'binary', await raw.receive()).outcome).toMatchObject({ kind: 'applicationError', type: ApplicationErrorType.UNKNOWN_METHOD, message: expect.stringMatching(/Unknown service 'Nowhere'/) });
    await raw.send(encodeMessage('binary', 'ping', MessageType.CALL, 4));
    const plain = decodeAnswer(idl, 'binary', await raw.receive());
    expect(plain.outcome).toMatchObject({ kind: 'applicationError', type: ApplicationErrorType.UNKNOWN_METHOD, message: expect.stringMatching(/no default service/) });
    expect(plain.seqid).toBe(4);
    raw.close();
  });

  it('passes a handler\'s TApplicationException through and hides an undeclared error behind INTERNAL_ERROR (logged)', async () => {
    const log: string[] = [];
    const port = await start('compact', conformanceHandlers(), 'Conformance', log);
    const client = await connect({ transport: 'framed', protocol: 'compact', host: '127.0.0.1', port }, idl, { timeoutMs: 5000 });
    await expect(client.call('Conformance', 'failApplication', { type: 9, message: 'm \u2717' })).rejects.toMatchObject({ type: 9, message: 'm \u2717' });
    const undeclared = await client.call('Conformance', 'failUndeclared', { reason: 'secret detail' }).catch((e: unknown) => e);
    expect(undeclared).toBeInstanceOf(TApplicationException);
    expect((undeclared as TApplicationException).type).toBe(ApplicationErrorType.INTERNAL_ERROR);
    expect((undeclared as TApplicationException).message).not.toContain('secret');
    const declared = await client.call('Conformance', 'fail', { kind: 'other', code: 3, reason: 'r' }).catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(DeclaredException);
    expect((declared as DeclaredException).value).toEqual({ detail: 'r', trail: [3] });
    await client.call('Conformance', 'failOneway', { reason: 'quiet' });
    expect(await client.call('Conformance', 'echoI32', { value: 1 })).toBe(1);
    expect(log.join('\n')).toMatch(/failUndeclared .*secret detail/);
    expect(log.join('\n')).toMatch(/one-way Conformance.failOneway .*quiet/);
    await client.close();
  });

  it('answers INTERNAL_ERROR when a handler returns what the IDL cannot carry, UNKNOWN_METHOD for a method without handler', async () => {
    const log: string[] = [];
    const port = await start('binary', { Conformance: { echoI32: () => 'not a number' } }, undefined, log);
    const client = await connect({ transport: 'framed', protocol: 'binary', host: '127.0.0.1', port }, idl, { timeoutMs: 5000 });
    await expect(client.call('Conformance', 'echoI32', { value: 1 })).rejects.toMatchObject({ type: ApplicationErrorType.INTERNAL_ERROR });
    expect(log.join('\n')).toMatch(/i32 needs an integer number, got the string "not a number"/);
    await expect(client.call('Conformance', 'ping', {})).rejects.toMatchObject({ type: ApplicationErrorType.UNKNOWN_METHOD });
    await client.close();
  });

  it('answers PROTOCOL_ERROR for arguments missing a required field and keeps the connection', async () => {
    const port = await start('binary', conformanceHandlers(), 'Conformance');
    const raw = await RawConnection.open({ transport: 'framed', protocol: 'binary', host: '127.0.0.1', port });
    // echoPoint(value: {}) : Point's x and y are required.
    await raw.send(Buffer.from('800100010000000965636' + '86f506f696e74000000010c000100' + '00', 'hex'));
    const answer = decodeAnswer(idl, 'binary', await raw.receive());
    expect(answer.outcome).toMatchObject({ kind: 'applicationError', type: ApplicationErrorType.PROTOCOL_ERROR, message: expect.stringMatching(/required field Point.x is missing/) });
    await raw.send(encodeMessage('binary', 'ping', MessageType.CALL, 2));
    expect(decodeAnswer(idl, 'binary', await raw.receive(), { service: 'Conformance', method: 'ping' }).type).toBe(MessageType.REPLY);
    raw.close();
  });
});

describe('our client', () => {
  it('pipelines calls on one connection and matches answers by sequence id', async () => {
    const port = await start('compact', conformanceHandlers(), 'Conformance');
    const client = await connect({ transport: 'framed', protocol: 'compact', host: '127.0.0.1', port }, idl, { timeoutMs: 5000 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call('Conformance', 'echoI64', { value: BigInt(i) - 100n })));
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i) - 100n));
    await client.close();
  });

  it('refuses arguments that do not fit the IDL before sending anything, naming where', async () => {
    let sent = 0;
    const port = await start('binary', conformanceHandlers(), 'Conformance');
    const client = await connect({ transport: 'framed', protocol: 'binary', host: '127.0.0.1', port }, idl, { timeoutMs: 5000, recorder: { sent: (b) => { sent += b.length; }, received: () => undefined } });
    await expect(client.call('Conformance', 'echoDrawing', { value: { shapes: [{ name: 'a' }, { name: 5 }] } })).rejects.toThrow(ValueError);
    await expect(client.call('Conformance', 'echoDrawing', { value: { shapes: [{ name: 'a' }, { name: 5 }] } })).rejects.toThrow(/Drawing.shapes: \[1\]: Shape.name: string needs a string, got number 5/);
    await expect(client.call('Conformance', 'echoPoint', { value: { x: 1 } })).rejects.toThrow(/Point.y is required/);
    await expect(client.call('Conformance', 'echoChoice', { value: { number: 1, text: 't' } })).rejects.toThrow(/exactly one field/);
    await expect(client.call('Conformance', 'echoI64', { value: 2n ** 63n })).rejects.toThrow(/out of range/);
    await expect(client.call('Conformance', 'echoUuid', { value: 'not-a-uuid' })).rejects.toThrow(/8-4-4-4-12/);
    expect(sent).toBe(0);
    expect(await client.call('Conformance', 'echoUuid', { value: 'F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6' })).toBe('f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    await client.close();
  });
});
