// Protocol identity between a client's copy of a protocol and the server's (defects 1 and 2):
// by the specification a message's request is an anonymous record of its parameters, and named
// types match by unqualified name (or alias); a protocol name may be qualified ("a.b.P").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroRemoteError, connectClient, listen, parseProtocol, type AvroServer, type Protocol } from './index.ts';
import { echoHandlers, protocolText } from './testing/fixtures.ts';

/** The conformance protocol as another party might have copied it: same messages, another namespace. */
function withNamespace(namespace: string): Protocol {
  const json = JSON.parse(protocolText('conformance')) as Record<string, unknown>;
  return parseProtocol({ ...json, namespace });
}

/** A small protocol in the style of Avro's interop tests, written with a qualified name. */
function simpleProtocol(style: 'qualified-name' | 'namespace-attribute'): string {
  const naming = style === 'qualified-name' ? { protocol: 'org.example.test.Simple' } : { protocol: 'Simple', namespace: 'org.example.test' };
  return JSON.stringify({
    ...naming,
    types: [
      { type: 'enum', name: 'Kind', symbols: ['FOO', 'BAR'] },
      { type: 'fixed', name: 'MD5', size: 16 },
      { type: 'record', name: 'TestRecord', fields: [{ name: 'name', type: 'string' }, { name: 'kind', type: 'Kind' }, { name: 'hash', type: 'MD5' }] },
      { type: 'error', name: 'TestError', fields: [{ name: 'message', type: 'string' }] },
    ],
    messages: {
      echo: { request: [{ name: 'record', type: 'TestRecord' }], response: 'TestRecord' },
      error: { request: [], response: 'null', errors: ['TestError'] },
    },
  });
}

function simpleHandlers(namespace: string): Parameters<typeof listen>[2] {
  return {
    echo: ({ record }) => record,
    error: () => { throw new AvroRemoteError(`${namespace}.TestError`, { message: 'raised' }); },
  };
}

describe('parseProtocol: qualified protocol names', () => {
  it('takes the namespace from "protocol": "a.b.P" and qualifies the named types with it', () => {
    const protocol = parseProtocol(simpleProtocol('qualified-name'));
    expect(protocol.name).toBe('Simple');
    expect(protocol.namespace).toBe('org.example.test');
    expect([...protocol.types.keys()]).toContain('org.example.test.TestRecord');
    expect(protocol.messages.get('error')?.declaredErrors).toEqual(['org.example.test.TestError']);
  });

  it('lets a dotted name win over a namespace attribute, as for named schemas', () => {
    const protocol = parseProtocol({ protocol: 'x.y.P', namespace: 'ignored.here', messages: {} });
    expect([protocol.namespace, protocol.name]).toEqual(['x.y', 'P']);
  });

  it('says what is wrong with a protocol text', () => {
    expect(() => parseProtocol('{"protocol": ')).toThrow(/^protocol text is not JSON: /);
    expect(() => parseProtocol('[1]')).toThrow(/not a JSON object/);
    expect(() => parseProtocol({ protocol: 'P', messages: { m: { request: [], response: 'Nope' } } })).toThrow(/protocol P: message m: response: .*Nope/);
  });
});

for (const scheme of ['http', 'tcp'] as const) {
  describe(`a client whose copy of the protocol has another namespace, over ${scheme}://`, () => {
    let server: AvroServer;
    let url: string;
    const ours = parseProtocol(protocolText('conformance'));
    beforeAll(async () => {
      server = await listen(`${scheme}://127.0.0.1:0/`, ours, echoHandlers(ours));
      url = `${scheme}://127.0.0.1:${server.port}/`;
    });
    afterAll(() => server.close());

    it('is served: parameters by name, named types by unqualified name, declared errors by their branch', async () => {
      const theirs = withNamespace('com.example.client');
      const client = await connectClient(url, theirs, { timeoutMs: 2_000 });
      try {
        expect(await client.call('add', { a: 2n, b: 3n })).toBe(5n);
        expect(await client.call('echoPoint', { value: { x: 1, y: 2 } })).toEqual({ x: 1, y: 2 });
        expect(await client.call('echoEnum', { value: 'HEARTS' })).toBe('HEARTS');
        expect(await client.call('echoUnion', { value: { 'com.example.client.Point': { x: 3, y: 4 } } })).toEqual({ 'com.example.client.Point': { x: 3, y: 4 } });
        const failure = await client.call('fail', { kind: 'conformance', code: 7, reason: 'r' }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(AvroRemoteError);
        expect((failure as AvroRemoteError).errorType).toBe('com.example.client.ConformanceError');
      } finally {
        await client.close();
      }
    });
  });

  describe(`a protocol named "org.example.test.Simple" (avro-js style) against "Simple" in namespace org.example.test (Java style), over ${scheme}://`, () => {
    for (const [serverStyle, clientStyle] of [['namespace-attribute', 'qualified-name'], ['qualified-name', 'namespace-attribute']] as const) {
      it(`server ${serverStyle}, client ${clientStyle}: records, enums, fixed and errors resolve`, async () => {
        const serverProtocol = parseProtocol(simpleProtocol(serverStyle));
        const server = await listen(`${scheme}://127.0.0.1:0/`, serverProtocol, simpleHandlers('org.example.test'));
        const client = await connectClient(`${scheme}://127.0.0.1:${server.port}/`, parseProtocol(simpleProtocol(clientStyle)), { timeoutMs: 2_000 });
        try {
          const record = { name: 'n', kind: 'BAR', hash: Buffer.alloc(16, 1) };
          expect(await client.call('echo', { record })).toEqual(record);
          await expect(client.call('error', {})).rejects.toMatchObject({ errorType: 'org.example.test.TestError', value: { message: 'raised' } });
        } finally {
          await client.close();
          await server.close();
        }
      });
    }
  });
}
