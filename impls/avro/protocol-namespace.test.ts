// A protocol whose name is qualified and has no "namespace" key (how avro-js renders protocols in
// its handshakes) takes its namespace from the name, so its messages resolve against ours.
import { describe, expect, it } from 'vitest';
import { parseProtocol } from './protocol.ts';

const qualified = {
  protocol: 'org.example.Greeter',
  types: [{ name: 'org.example.Name', type: 'record', fields: [{ name: 'text', type: 'string' }] }],
  messages: { greet: { request: [{ name: 'who', type: 'Name' }], response: 'string' } },
};

describe('parseProtocol with a qualified protocol name', () => {
  it('takes the namespace from the name when there is no namespace key', () => {
    const protocol = parseProtocol(qualified);
    expect(protocol.namespace).toBe('org.example');
    expect(protocol.messages.get('greet')?.request.name).toBe('org.example.greet__Request');
  });

  it('reads requests written by the same protocol declared with a namespace key', () => {
    const ours = parseProtocol({ protocol: 'Greeter', namespace: 'org.example', types: [{ name: 'Name', type: 'record', fields: [{ name: 'text', type: 'string' }] }],
      messages: { greet: { request: [{ name: 'who', type: 'Name' }], response: 'string' } } });
    const theirs = parseProtocol(qualified);
    const writer = theirs.messages.get('greet')?.request;
    const reader = ours.messages.get('greet')?.request;
    if (!writer || !reader) throw new Error('no greet message');
    const bytes = writer.toBuffer({ who: { text: 'ada' } });
    expect(reader.fromBuffer(bytes, reader.createResolver(writer))).toEqual({ who: { text: 'ada' } });
  });
});

// Java 1.10.2's Protocol.toString writes "namespace": null for a protocol without a namespace
// attribute (seen in the handshakes of its client with conformance-copy-qualified); Java and Python
// read that as no namespace. Refusing it made our server answer NONE to every resend, and Java's
// Requestor resent for ever (7.8 MB in 10 s on one connection).
describe('parseProtocol with "namespace": null', () => {
  it('reads a null namespace as none, the qualified name giving it', () => {
    const protocol = parseProtocol({ ...qualified, namespace: null });
    expect(protocol.namespace).toBe('org.example');
    expect(protocol.fullName).toBe('org.example.Greeter');
    expect([...protocol.types.keys()]).toEqual(['org.example.Name']);
  });

  it('reads a null namespace on a simple name as no namespace at all', () => {
    const protocol = parseProtocol({ protocol: 'Greeter', namespace: null, types: [{ name: 'Name', type: 'record', fields: [] }], messages: {} });
    expect(protocol.namespace).toBeUndefined();
    expect([...protocol.types.keys()]).toEqual(['Name']);
  });

  it('hashes it as the same protocol without the key', () => {
    expect(parseProtocol({ ...qualified, namespace: null }).hash).toEqual(parseProtocol(qualified).hash);
  });

  it('still refuses a namespace that is neither a string nor null', () => {
    expect(() => parseProtocol({ ...qualified, namespace: 7 })).toThrow(/"namespace" is not a string/);
  });
});
