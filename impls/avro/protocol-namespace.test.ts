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
