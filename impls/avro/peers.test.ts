// The handshake cache and resolution rules of peers.ts, without a network.
import { describe, expect, it } from 'vitest';
import { createResolver, ProtocolCache } from './peers.ts';
import { md5, parseProtocol } from './protocol.ts';
import { newRegistry, parseType } from './types.ts';

describe('schema resolution between two copies of a protocol', () => {
  it('matches named types by unqualified name and by alias', () => {
    const writer = parseType({ type: 'record', name: 'w.Point', fields: [{ name: 'x', type: 'int' }] }, { registry: newRegistry() });
    const reader = parseType({ type: 'record', name: 'r.Point', fields: [{ name: 'x', type: 'int' }] }, { registry: newRegistry() });
    const renamed = parseType({ type: 'record', name: 'r.Location', aliases: ['q.Point'], fields: [{ name: 'x', type: 'int' }] }, { registry: newRegistry() });
    const bytes = writer.toBuffer({ x: 5 });
    expect(reader.fromBuffer(bytes, createResolver(reader, writer))).toEqual({ x: 5 });
    expect(renamed.fromBuffer(bytes, createResolver(renamed, writer))).toEqual({ x: 5 });
  });
});

describe('the protocol cache', () => {
  const text = (n: number): string => JSON.stringify({ protocol: `P${n}`, messages: { [`m${n}`]: { request: [], response: 'null' } } });

  it('caches a text only under the hash it hashes to', () => {
    const cache = new ProtocolCache({ maxCachedProtocols: 4, maxCachedProtocolChars: 1 << 20 });
    const real = text(1);
    const planted = cache.learn(md5(real), text(2), 'client');
    expect(planted.verified).toBe(false);
    expect(cache.get(md5(real))).toBeUndefined();
    const learned = cache.learn(md5(real), real, 'client');
    expect(learned.verified).toBe(true);
    expect(cache.get(md5(real))?.protocol.name).toBe('P1');
  });

  it('parses a text once however many hashes it comes with, and never files it under them', () => {
    const cache = new ProtocolCache({ maxCachedProtocols: 4, maxCachedProtocolChars: 1 << 20 });
    const claimed = Array.from({ length: 50 }, (_, n) => md5(`claim ${n}`));
    const peers = claimed.map((hash) => cache.learn(hash, text(3), 'client'));
    expect(peers.every((p) => !p.verified && p.protocol === peers[0]?.protocol)).toBe(true);
    expect(cache.size).toBe(1);
    expect(claimed.every((hash) => cache.get(hash) === undefined)).toBe(true);
    expect(cache.get(md5(text(3)))?.protocol).toBe(peers[0]?.protocol);
    expect(cache.learn(md5(text(3)), text(3), 'client').verified).toBe(true);
  });

  it('keeps the most recently used entries within the count and size bounds', () => {
    const cache = new ProtocolCache({ maxCachedProtocols: 3, maxCachedProtocolChars: 1 << 20 });
    for (let n = 0; n < 10; n++) cache.learn(md5(text(n)), text(n), 'client');
    expect(cache.size).toBe(3);
    expect(cache.get(md5(text(9)))).toBeDefined();
    expect(cache.get(md5(text(6)))).toBeUndefined();
    const small = new ProtocolCache({ maxCachedProtocols: 100, maxCachedProtocolChars: text(0).length * 2 });
    for (let n = 0; n < 10; n++) small.learn(md5(text(n)), text(n), 'client');
    expect(small.size).toBe(2);
    expect(small.textChars).toBeLessThanOrEqual(text(0).length * 2);
  });

  it('says whose protocol text did not parse', () => {
    const cache = new ProtocolCache({ maxCachedProtocols: 3, maxCachedProtocolChars: 1 << 20 });
    expect(() => cache.learn(md5('nope'), 'nope', 'client')).toThrow(/^client protocol text is not JSON: /);
    expect(parseProtocol(text(1)).messages.has('m1')).toBe(true);
  });
});
