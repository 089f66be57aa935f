import { describe, expect, it } from 'vitest';
import { callBoundMs, loadCases } from './catalogue.ts';

describe('the bound of a call in a cell', () => {
  it('is jsonTimeoutMillis in the JSON protocols\' cells, timeoutMillis elsewhere, and nothing when the case gives neither', () => {
    const big = { timeoutMillis: 15_000, jsonTimeoutMillis: 45_000 };
    for (const protocol of ['json', 'multiplexed-json', 'default-service-json']) expect(callBoundMs(big, protocol), protocol).toBe(45_000);
    for (const protocol of ['binary', 'compact', 'accel-binary', 'multiplexed-binary', 'mixed-binary-compact']) expect(callBoundMs(big, protocol), protocol).toBe(15_000);
    expect(callBoundMs({ timeoutMillis: 250 }, 'json')).toBe(250);
    expect(callBoundMs({}, 'json')).toBeUndefined();
  });

  it('gives the 1 MiB echoes more time in JSON, and only them', () => {
    const withJson = loadCases().filter((c) => c.jsonTimeoutMillis !== undefined).map((c) => c.id).sort();
    expect(withJson).toEqual(['binary-1mib', 'string-1mib']);
  });
});
