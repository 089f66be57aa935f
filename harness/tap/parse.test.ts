import { describe, expect, it } from 'vitest';
import { parseTap } from './parse.ts';

describe('parseTap', () => {
  it('reads ok and not ok lines with their diagnostics', () => {
    const results = parseTap([
      'TAP version 13', '1..3', 'ok 1 - echo-int', 'not ok 2 - echo-long-max', '  ---',
      '  expected: 9223372036854775807', '  actual: 9223372036854775806', '  ...', 'ok 3 - ping # SKIP no ping',
    ].join('\n'));
    expect(results.get('echo-int')).toMatchObject({ ok: true, diagnostic: '' });
    expect(results.get('echo-long-max')?.ok).toBe(false);
    expect(results.get('echo-long-max')?.diagnostic).toContain('actual: 9223372036854775806');
    expect(results.get('ping')?.directive).toBe('SKIP');
  });

  it('finds nothing in output that is not TAP', () => {
    expect(parseTap('Traceback (most recent call last):\n  oops').size).toBe(0);
  });
});
