// releaseNow frees a buffer's memory only when nothing but the given chunk can be a view of it.
import { describe, expect, it } from 'vitest';
import { releaseNow } from './release.ts';

describe('releaseNow', () => {
  it('detaches a buffer that is the whole of its ArrayBuffer', () => {
    const chunk = Buffer.allocUnsafeSlow(64 * 1024);
    releaseNow(chunk);
    expect(chunk.buffer.byteLength).toBe(0);
    expect(chunk.length).toBe(0);
  });

  it('leaves a view of part of a buffer, and a slice of Node\'s pool', () => {
    const whole = Buffer.alloc(1024, 7);
    const view = whole.subarray(16, 32);
    releaseNow(view);
    expect(whole.length).toBe(1024);
    expect(view.length).toBe(16);
    const pooled = Buffer.from('pool');
    releaseNow(pooled);
    expect(pooled.toString()).toBe('pool');
  });

  it('leaves a buffer that cannot be detached', () => {
    // A SharedArrayBuffer cannot be transferred (other threads may hold it).
    const chunk = Buffer.from(new SharedArrayBuffer(1024));
    expect(() => releaseNow(chunk)).not.toThrow();
    expect(chunk.length).toBe(1024);
  });
});
