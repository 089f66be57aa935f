import { describe, expect, it } from 'vitest';
import { failureDetail, normalizeWire } from './failure-detail.ts';

describe('failureDetail', () => {
  it('splits the peer log tail out of the message and keeps expected/actual', () => {
    const detail = failureDetail({
      name: 'AssertionError',
      message: 'expected "a" to be "b"\n--- peer server log (tail) ---\nTraceback...\nNameError',
      expected: 'b', actual: 'a',
    });
    expect(detail.summary).toBe('expected "a" to be "b"');
    expect(detail.message).toBe('expected "a" to be "b"');
    expect(detail.peerLogTail).toContain('NameError');
    expect(detail.expected).toBe('b');
    expect(detail.actual).toBe('a');
    expect(detail.wire).toBeUndefined();
  });

  it('lifts the TAP diagnostic message of a peer client\'s "not ok" into the summary', () => {
    const detail = failureDetail({ message: "peer client: not ok\n  message: 'double differs'\n  expected: Infinity\n  actual: null\nexit code 0" });
    expect(detail.summary).toBe('peer client: not ok: double differs');
  });

  it('renders non-string expected values as JSON', () => {
    expect(failureDetail({ message: 'm', expected: { a: 1 } }).expected).toContain('"a": 1');
  });
});

describe('normalizeWire', () => {
  it('reads hex strings, byte arrays, serialized buffers and labelled frames', () => {
    expect(normalizeWire('00 FF 10')).toEqual([{ label: 'wire', hex: '00ff10' }]);
    expect(normalizeWire(new Uint8Array([1, 2]))).toEqual([{ label: 'wire', hex: '0102' }]);
    expect(normalizeWire({ type: 'Buffer', data: [171] })).toEqual([{ label: 'wire', hex: 'ab' }]);
    expect(normalizeWire([{ direction: 'sent', bytes: { 0: 1, 1: 255 } }, { label: 'received', hex: 'c0de' }]))
      .toEqual([{ label: 'sent', hex: '01ff' }, { label: 'received', hex: 'c0de' }]);
  });

  it('drops what it cannot read instead of guessing', () => {
    expect(normalizeWire('not hex')).toBeUndefined();
    expect(normalizeWire([{ label: 'x' }])).toBeUndefined();
    expect(normalizeWire(42)).toBeUndefined();
  });
});
