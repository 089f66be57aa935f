// Resolving limits: the defaults fill what is not given, and limits already resolved are not copied
// again (decoders resolve what they are given, per HTTP request).
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from './limits.ts';

describe('resolveLimits', () => {
  it('fills the fields not given from the defaults, and keeps those given', () => {
    const limits = resolveLimits({ maxFrameBytes: 1024, idleTimeoutMs: 5 });
    expect(limits).toEqual({ ...DEFAULT_LIMITS, maxFrameBytes: 1024, idleTimeoutMs: 5 });
    expect(resolveLimits(undefined)).toBe(DEFAULT_LIMITS);
  });

  it('returns limits it made, and the defaults, as they are; a partial object is never returned as complete', () => {
    const resolved = resolveLimits({ maxConnections: 3 });
    expect(resolveLimits(resolved)).toBe(resolved);
    expect(resolveLimits(DEFAULT_LIMITS)).toBe(DEFAULT_LIMITS);
    const partial = { maxConnections: 3 };
    expect(resolveLimits(partial)).not.toBe(partial);
    expect(resolveLimits(partial).maxFrameBytes).toBe(DEFAULT_LIMITS.maxFrameBytes);
  });

  it('freezes what it makes, so a limits object returned as it is cannot have changed since', () => {
    expect(Object.isFrozen(resolveLimits({ maxConnections: 3 }))).toBe(true);
  });
});
