import { describe, expect, it } from 'vitest';
import { CaseMismatch } from './case-mismatch.ts';
import { expectedActualFromText, failureDetail, normalizeWire, type SerializedErrorLike } from './failure-detail.ts';

/** What vitest hands a reporter: the error's own fields copied into plain data. */
function serialized(error: Error): SerializedErrorLike {
  const plain: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(error)) plain[key] = (error as unknown as Record<string, unknown>)[key];
  return JSON.parse(JSON.stringify({ ...plain, name: error.name, message: error.message })) as SerializedErrorLike;
}

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

  it('takes expected, actual and wire from a thrown CaseMismatch', () => {
    const error = new CaseMismatch({
      what: 'echoLabels: the answer differs', expected: '[["__proto__","p"],["a","b"]]', actual: '[["a","b"]]',
      wire: [{ label: 'our client received', hex: '0a0b' }],
    });
    const detail = failureDetail(serialized(error));
    expect(detail).toMatchObject({
      summary: 'echoLabels: the answer differs', expected: '[["__proto__","p"],["a","b"]]', actual: '[["a","b"]]',
      mismatchSource: 'error', wire: [{ label: 'our client received', hex: '0a0b' }],
    });
    expect(detail.message).toBe('echoLabels: the answer differs\nexpected: [["__proto__","p"],["a","b"]]\nactual:   [["a","b"]]');
  });

  it('reads expected and actual back from the message when the check did not give them as fields', () => {
    const avro = failureDetail({ message: 'lastNote: expected response {"string":"fire and forget"}\n  actual: AvroSystemError: write EPIPE' });
    expect(avro).toMatchObject({ expected: 'response {"string":"fire and forget"}', actual: 'AvroSystemError: write EPIPE', mismatchSource: 'message' });
    const peer = failureDetail({ message: 'peer client: not ok\n  message: "response differs"\n  expected: [["__proto__", "p"], ["a", "b"]]\n' +
      '  actual: [["a", "b"]]\nour server: no Conformance.echoLabels call arrived\nexit code 0' });
    expect(peer).toMatchObject({ summary: 'peer client: not ok: response differs', expected: '[["__proto__", "p"], ["a", "b"]]', actual: '[["a", "b"]]' });
    expect(failureDetail({ message: 'obj.hasOwnProperty is not a function' }).mismatchSource).toBeUndefined();
  });
});

describe('expectedActualFromText', () => {
  it('reads every form the suites write today', () => {
    expect(expectedActualFromText('echoStringMap: expected: {"a":"1"}\n  actual: response {}')).toEqual({ expected: '{"a":"1"}', actual: 'response {}' });
    expect(expectedActualFromText('echoLabels: the answer differs\nexpected: [[1]]\nactual:   [[2]]')).toEqual({ expected: '[[1]]', actual: '[[2]]' });
    expect(expectedActualFromText('fail: expected declared error org.x.E {"code":7}\n  actual: AvroSystemError: {\'code\': 7}'))
      .toEqual({ expected: 'declared error org.x.E {"code":7}', actual: 'AvroSystemError: {\'code\': 7}' });
  });

  it('takes the expected nearest above actual, lines between them, and actual\'s deeper-indented continuation', () => {
    const text = 'call failed: expected nothing like this\n  expected:\n    {"a": 1,\n     "b": 2}\n  actual: first\n    second\n  trace: x';
    expect(expectedActualFromText(text)).toEqual({ expected: '{"a": 1,\n"b": 2}', actual: 'first\nsecond' });
  });

  it('finds nothing without both an "actual:" line and an "expected" above it', () => {
    expect(expectedActualFromText('expected 3 values')).toBeUndefined();
    expect(expectedActualFromText('actual: 5\nexpected: 3')).toBeUndefined();
    expect(expectedActualFromText('the actual: thing')).toBeUndefined();
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

describe('the stack kept with a failure', () => {
  it('keeps the first frames outside node_modules and Node, without the message', () => {
    const frames = Array.from({ length: 12 }, (_, i) => `    at step${i} (/repo/harness/x.ts:${i}:1)`);
    const stack = ['Error: echoInt: the answer differs', 'expected: 1', ...frames.slice(0, 2),
      '    at run (/repo/node_modules/vitest/dist/run.js:1:1)', '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)', ...frames.slice(2)].join('\n');
    const kept = failureDetail({ message: 'echoInt: the answer differs', stack }).stack ?? '';
    expect(kept.split('\n')).toEqual(frames.slice(0, 8).map((f) => f.trim()));
  });

  it('leaves no stack when no frame is the project own', () => {
    expect(failureDetail({ message: 'x', stack: 'Error: x\n    at node:internal/a:1:1' }).stack).toBeUndefined();
  });
});
