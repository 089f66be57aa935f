// Our stack against Apache's own JavaScript implementation (avro-js 1.12.2, in node_modules), in
// process over loopback HTTP (its stateless emitter and listener). avro-js names a protocol with
// a namespace by its full name ({"protocol": "org.example.test.Simple"}, no "namespace"
// attribute): defects 1 and 2 with a real peer.
//
// avro-js's stateful emitter is not used: it multiplexes a connection by an id in the call
// metadata that the server must negate into its answer, which no Avro specification defines and
// neither Java nor Python servers do. avro-js also matches named types by full name: its listener
// answers NONE to a client whose copy of the protocol is in another namespace ("no alias for
// com.example.client.echo in org.example.test.echo"), and its emitter cannot read answers of a
// server whose copy is ("no alias for org.example.server.TestRecord in ..."); Java and Python
// accept both, and so do we (resolution.test.ts).
import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroRemoteError, connectClient, listen, parseProtocol, type AvroServer } from './index.ts';

type Handler = (request: Record<string, unknown>, listener: unknown, cb: (err: unknown, response?: unknown) => void) => void;
interface AvroJsProtocol {
  toString(): string;
  on(name: string, handler: Handler): AvroJsProtocol;
  createEmitter(factory: (onReadable: (readable: IncomingMessage) => void) => Writable): unknown;
  createListener(factory: (onWritable: (writable: ServerResponse) => void) => IncomingMessage): unknown;
  emit(name: string, request: unknown, emitter: unknown, cb: (err: unknown, response: unknown) => void): void;
}
const avroJsModule = createRequire(import.meta.url)('avro-js') as { parse(schema: unknown): AvroJsProtocol };
// avro-js changes the schema object it is given (it prepends "string" to each errors list): give it a copy.
const avroJs = { parse: (schema: unknown): AvroJsProtocol => avroJsModule.parse(structuredClone(schema)) };

const SIMPLE = {
  protocol: 'Simple', namespace: 'org.example.test',
  types: [
    { type: 'enum', name: 'Kind', symbols: ['FOO', 'BAR'] },
    { type: 'record', name: 'TestRecord', fields: [{ name: 'name', type: 'string' }, { name: 'kind', type: 'Kind' }] },
    { type: 'error', name: 'TestError', fields: [{ name: 'message', type: 'string' }] },
  ],
  messages: {
    echo: { request: [{ name: 'record', type: 'TestRecord' }], response: 'TestRecord' },
    add: { request: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }], response: 'int' },
    error: { request: [], response: 'null', errors: ['TestError'] },
  },
};

it('avro-js renders a namespaced protocol with its full name (what our parser must read)', () => {
  const text = avroJs.parse(SIMPLE).toString();
  expect(JSON.parse(text)).toMatchObject({ protocol: 'org.example.test.Simple' });
  expect(JSON.parse(text)).not.toHaveProperty('namespace');
  const ours = parseProtocol(text);
  expect([ours.namespace, ours.name]).toEqual(['org.example.test', 'Simple']);
});

describe('avro-js client, our http:// server', () => {
  let server: AvroServer;
  beforeAll(async () => {
    // Ours is written {"protocol": "Simple", "namespace": "org.example.test"}, the client's
    // {"protocol": "org.example.test.Simple"}. (In another namespace, avro-js would fail to read
    // our answers: it matches records by full name.)
    server = await listen('http://127.0.0.1:0/', parseProtocol(SIMPLE), {
      echo: ({ record }) => record,
      add: ({ a, b }) => (a as number) + (b as number),
      error: () => { throw new AvroRemoteError('org.example.test.TestError', { message: 'raised' }); },
    });
  });
  afterAll(() => server.close());

  it('answers its calls: records and enums by unqualified name, parameters by name, declared errors', async () => {
    const protocol = avroJs.parse(SIMPLE);
    const emitter = protocol.createEmitter((onReadable) => httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/' }, onReadable));
    const call = (name: string, request: unknown): Promise<unknown> => new Promise((resolve, reject) => {
      protocol.emit(name, request, emitter, (err, response) => (err ? reject(err) : resolve(response)));
    });
    expect(await call('echo', { record: { name: 'n', kind: 'BAR' } })).toEqual({ name: 'n', kind: 'BAR' });
    expect(await Promise.all([call('add', { a: 1, b: 2 }), call('add', { a: 3, b: 4 })])).toEqual([3, 7]);
    await expect(call('error', {})).rejects.toMatchObject({ 'org.example.test.TestError': { message: 'raised' } });
  });
});

describe('our http:// client, avro-js server', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const protocol = avroJs.parse(SIMPLE)
      .on('echo', (request, _, cb) => cb(null, request['record']))
      .on('add', (request, _, cb) => cb(null, (request['a'] as number) + (request['b'] as number)))
      .on('error', (_, __, cb) => cb({ 'org.example.test.TestError': { message: 'raised' } }));
    server = createServer((req, res) => {
      protocol.createListener((onWritable) => {
        onWritable(res);
        return req;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads its answers (records, enums, declared errors), several calls in flight', async () => {
    const client = await connectClient(`http://127.0.0.1:${port}/`, parseProtocol(SIMPLE), { timeoutMs: 2_000 });
    try {
      expect(await client.call('echo', { record: { name: 'n', kind: 'FOO' } })).toEqual({ name: 'n', kind: 'FOO' });
      expect(await Promise.all([client.call('add', { a: 5, b: 6 }), client.call('add', { a: 7, b: 8 })])).toEqual([11, 15]);
      await expect(client.call('error', {})).rejects.toMatchObject({ errorType: 'org.example.test.TestError', value: { message: 'raised' } });
    } finally {
      await client.close();
    }
  });
});
