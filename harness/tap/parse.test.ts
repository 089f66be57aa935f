import { describe, expect, it } from 'vitest';
import { caseWindows, parseTap } from './parse.ts';

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

  it('cuts the run into case windows from the peer\'s "# case <id> begins <ms>" comments', () => {
    const text = ['TAP version 13', '1..2', '# case echo-int begins 1000', 'ok 1 - echo-int', '# case ping begins 1250.125', 'ok 2 - ping'].join('\n');
    expect(parseTap(text).size).toBe(2);
    expect(caseWindows(text)).toEqual(new Map([
      ['echo-int', { from: 1000, to: 1250.125 }],
      ['ping', { from: 1250.125, to: Number.POSITIVE_INFINITY }],
    ]));
  });
});
