import { describe, expect, it } from 'vitest';
import { socketName } from './run-dir.ts';

describe('socketName', () => {
  it('keeps short keys as they are', () => {
    expect(socketName('thrift.a-to-b.framed.binary.unix.simple')).toBe('thrift.a-to-b.framed.binary.unix.simple');
  });

  it('gives long keys that share their start and their end different names', () => {
    const a = 'thrift.java-0-25-0-to-npm-thrift.buffered.json.unix.createServer';
    const b = 'thrift.java-0-25-0-to-npm-thrift.buffered.multiplexed-json.unix.createServer';
    expect(socketName(a)).not.toBe(socketName(b));
    expect(socketName(a).length).toBeLessThanOrEqual(57);
    expect(socketName(a).startsWith('thrift.java-0-25-0-to-npm-thrift.buffere')).toBe(true);
  });
});
