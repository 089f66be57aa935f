import { describe, expect, it } from 'vitest';
import { caseWindows, parseTap, readCellTap, splitCells } from './parse.ts';

describe('parseTap', () => {
  it('reads ok and not ok lines with their diagnostics, keeping the peer\'s digits', () => {
    const results = parseTap([
      'TAP version 13', '1..3', 'ok 1 - echo-int', 'not ok 2 - echo-long-max', '  ---',
      '  expected: 9223372036854775807', '  actual: 9223372036854775806', '  ...', 'ok 3 - ping # SKIP no ping',
    ].join('\n'));
    expect([...results.keys()]).toEqual(['echo-int', 'echo-long-max', 'ping']);
    expect(results.get('echo-int')).toEqual({ ok: true, id: 'echo-int', diagnostic: '' });
    expect(results.get('echo-long-max')).toEqual({
      ok: false, id: 'echo-long-max', diagnostic: '  expected: 9223372036854775807\n  actual: 9223372036854775806',
    });
    expect(results.get('ping')).toEqual({ ok: true, id: 'ping', directive: 'SKIP', reason: 'no ping', diagnostic: '' });
  });

  it('gives each diagnostic to its own test point, and none to a point without one', () => {
    const results = parseTap([
      'TAP version 13', '1..4', 'not ok 1 - a', '  ---', '  message: "first"', '  ...', 'ok 2 - b',
      '# case c begins 12.5 monotonic 2.5', 'not ok 3 - c', '  ---', '  message: "third"', '  ...', 'ok 4 - d # TODO later',
    ].join('\n'));
    expect(results.get('a')?.diagnostic).toBe('  message: "first"');
    expect(results.get('b')?.diagnostic).toBe('');
    expect(results.get('c')?.diagnostic).toBe('  message: "third"');
    expect(results.get('d')).toMatchObject({ ok: true, directive: 'TODO', reason: 'later' });
  });

  it('keeps a YAML block that a run cut short, and a point without a dash or a trailing newline', () => {
    const results = parseTap(['TAP version 13', '1..3', 'ok 1 first', 'not ok 2 - cut', '  ---', '  message: "half'].join('\n'));
    expect(results.get('first')?.ok).toBe(true);
    expect(results.get('cut')).toMatchObject({ ok: false, diagnostic: '  message: "half' });
  });

  it('finds nothing in output that is not TAP', () => {
    expect(parseTap('Traceback (most recent call last):\n  oops').size).toBe(0);
  });

  it('cuts the run into case windows on the monotonic clock, from the peer\'s "# case <id> begins" comments', () => {
    const text = ['TAP version 13', '1..2', '# case echo-int begins 1000 monotonic 70.5', 'ok 1 - echo-int', '# case ping begins 1250.125 monotonic 320.625', 'ok 2 - ping'].join('\n');
    expect(parseTap(text).size).toBe(2);
    expect(caseWindows(text)).toEqual(new Map([
      ['echo-int', { from: 70.5, to: 320.625, wallFrom: 1000, wallTo: 1250.125 }],
      ['ping', { from: 320.625, to: Number.POSITIVE_INFINITY, wallFrom: 1250.125, wallTo: Number.POSITIVE_INFINITY }],
    ]));
  });

  it('keeps each clock\'s windows apart: a step of the real-time clock moves no monotonic window', () => {
    // The real-time clock set back 40 ms during "a": its real-time span ends before it begins.
    const text = ['# case a begins 1000 monotonic 10', 'ok 1 - a', '# case b begins 965 monotonic 15', 'ok 2 - b'].join('\n');
    expect(caseWindows(text).get('a')).toEqual({ from: 10, to: 15, wallFrom: 1000, wallTo: 965 });
  });

  it('gives no window for a case whose line lacks the monotonic instant (containers/README.md)', () => {
    expect(caseWindows('# case a begins 1000\nok 1 - a\n# case b begins 1001 monotonic 5\nok 2 - b\n')).toEqual(new Map([
      ['b', { from: 5, to: Number.POSITIVE_INFINITY, wallFrom: 1001, wallTo: Number.POSITIVE_INFINITY }],
    ]));
  });

  it('reads test points and case windows in one pass, as parseTap and caseWindows do apart', () => {
    const text = ['TAP version 13', '1..2', '# case a begins 10 monotonic 1', 'not ok 1 - a', '  ---', '  message: "no"', '  ...',
      '# case b begins 20.5 monotonic 11.5', 'ok 2 - b # SKIP not offered'].join('\n');
    const read = readCellTap(text);
    expect(read.results).toEqual(parseTap(text));
    expect(read.windows).toEqual(caseWindows(text));
    expect(read.results.get('a')?.diagnostic).toBe('  message: "no"');
    expect(read.windows.get('b')).toEqual({ from: 11.5, to: Number.POSITIVE_INFINITY, wallFrom: 20.5, wallTo: Number.POSITIVE_INFINITY });
  });

  it('ignores comments that are not case starts', () => {
    expect(caseWindows('TAP version 13\n# case x starts 5 monotonic 1\n# cased y begins 7 monotonic 1\n# case z begins soon monotonic 1\n1..0\n').size).toBe(0);
  });
});

describe('splitCells', () => {
  const cell = (key: string, body: string[], end = true): string[] => [`# cell ${key} begins`, ...body, ...(end ? [`# cell ${key} ends`] : [])];

  it('cuts a plan client\'s stdout into each cell\'s own TAP, in order', () => {
    const stdout = [
      'starting peer',
      ...cell('c1', ['TAP version 13', '1..1', '# case ping begins 1.000', 'ok 1 - ping']),
      ...cell('c2', ['TAP version 13', '1..2', 'ok 1 - ping', 'not ok 2 - echo', '  ---', '  message: "x"', '  ...']),
      '',
    ].join('\r\n');
    const split = splitCells(stdout);
    expect(split.cells.map((c) => [c.key, c.ended])).toEqual([['c1', true], ['c2', true]]);
    expect(split.cells[0]?.tap).toBe('TAP version 13\n1..1\n# case ping begins 1.000\nok 1 - ping');
    expect(parseTap(split.cells[1]?.tap ?? '').get('echo')?.diagnostic).toBe('  message: "x"');
    expect(split.outside).toBe('starting peer');
    expect(split.problems).toEqual([]);
  });

  it('reads when a cell ended, on the monotonic clock, from its "ends" line, where the peer gives the instants', () => {
    const split = splitCells([
      '# cell c1 begins', 'TAP version 13', '1..1', '# case a begins 10.5 monotonic 1.5', 'ok 1 - a', '# cell c1 ends 12.25 monotonic 3.25',
      ...cell('c2', ['TAP version 13', '1..1', 'ok 1 - a']),
    ].join('\n'));
    expect(split.cells.map((c) => [c.key, c.ended, c.endedAt])).toEqual([['c1', true, 3.25], ['c2', true, undefined]]);
    expect(split.cells[0]?.tap).toBe('TAP version 13\n1..1\n# case a begins 10.5 monotonic 1.5\nok 1 - a');
    expect(split.problems).toEqual([]);
  });

  it('does not take an "ends" line with a real-time instant alone for the cell\'s end: the contract gives both or none', () => {
    const split = splitCells(['# cell c1 begins', 'ok 1 - a', '# cell c1 ends 12.25'].join('\n'));
    expect(split.problems).toEqual(['cell c1 did not end']);
  });

  it('keeps what a cell printed when the run stops inside it', () => {
    const split = splitCells([...cell('c1', ['TAP version 13', '1..1', 'ok 1 - ping']), ...cell('c2', ['TAP version 13', '1..3', 'ok 1 - a', 'not ok 2 - b', '  ---', '  mess'], false)].join('\n'));
    expect(split.cells.map((c) => [c.key, c.ended])).toEqual([['c1', true], ['c2', false]]);
    expect([...parseTap(split.cells[1]?.tap ?? '').keys()]).toEqual(['a', 'b']);
    expect(split.problems).toEqual(['cell c2 did not end']);
  });

  it('closes a cell that never ended when the next one begins, and reports stray ends', () => {
    const split = splitCells([...cell('c1', ['ok 1 - a'], false), ...cell('c2', ['ok 1 - b']), '# cell c9 ends', 'tail'].join('\n'));
    expect(split.cells).toEqual([{ key: 'c1', tap: 'ok 1 - a', ended: false }, { key: 'c2', tap: 'ok 1 - b', ended: true }]);
    expect(split.problems).toEqual(['cell c1 did not end', '"# cell c9 ends" outside any cell']);
    expect(split.outside).toBe('tail');
  });

  it('does not end a cell on another cell\'s end line', () => {
    const split = splitCells(['# cell c1 begins', 'ok 1 - a', '# cell c2 ends', 'ok 2 - b', '# cell c1 ends'].join('\n'));
    expect(split.cells).toEqual([{ key: 'c1', tap: 'ok 1 - a\nok 2 - b', ended: true }]);
    expect(split.problems).toEqual(['"# cell c2 ends" inside cell c1']);
  });

  it('gives nothing for output without cells', () => {
    expect(splitCells('')).toEqual({ cells: [], outside: '', problems: [] });
    expect(splitCells('TAP version 13\nok 1 - a\n').cells).toEqual([]);
  });
});
