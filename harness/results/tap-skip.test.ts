import { describe, expect, it } from 'vitest';
import { tapSkipReason } from './tap-skip.ts';

describe('tapSkipReason', () => {
  const tap = 'TAP version 13\nok 1 - echo-int\nok 2 - handshake-none # SKIP case kind handshake-* is TypeScript-only\nok 3 - ping # skip\n';
  it('reads the reason of a skipped case, and nothing for a passed one', () => {
    expect(tapSkipReason(tap, 'handshake-none')).toBe('peer client: case kind handshake-* is TypeScript-only');
    expect(tapSkipReason(tap, 'ping')).toBe('peer client: skipped (no reason given)');
    expect(tapSkipReason(tap, 'echo-int')).toBeUndefined();
    expect(tapSkipReason(tap, 'absent')).toBeUndefined();
  });
});
