import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/peers.ts';
import { scratchDirectory } from '../run/scratch.ts';
import type { CaseCoordinates } from './axes.ts';
import { globRegExp } from './glob.ts';
import { entriesForCell, KNOWN_FAILURES_FILE, knownFailureFor, loadKnownFailures, matchesEntry, type KnownFailure } from './known-failures.ts';

const at: CaseCoordinates = {
  family: 'thrift', direction: 'ts-client', client: 'ours', server: 'java', peer: 'java', version: '0.20.0',
  implementation: 'ours', transport: 'framed', protocol: 'binary', socket: 'tcp', serverKind: 'simple', case: 'uuid-byte-order',
};

function entry(match: KnownFailure['match'], versions?: string): KnownFailure {
  return { id: 'e', match, reason: 'a reason long enough', evidence: 'bytes', ...(versions ? { versions } : {}) };
}

describe('known-failure entries', () => {
  it('match every axis they name, with * inside a value', () => {
    expect(matchesEntry(entry({ peer: 'java', case: 'uuid-*' }), at)).toBe(true);
    expect(matchesEntry(entry({ peer: 'java', case: 'uuid-nil' }), at)).toBe(false);
    expect(matchesEntry(entry({ peer: 'python' }), at)).toBe(false);
    expect(matchesEntry(entry({ case: '*order' }), at)).toBe(true);
    expect(matchesEntry(entry({ case: 'uuid' }), at)).toBe(false); // a whole value, not a prefix
  });

  it('match only the peer releases in their version range', () => {
    expect(matchesEntry(entry({ peer: 'java' }, '<0.23.0'), at)).toBe(true);
    expect(matchesEntry(entry({ peer: 'java' }, '<0.23.0'), { ...at, version: '0.23.0' })).toBe(false);
    expect(matchesEntry(entry({ peer: 'java' }, '>=0.16.0 <0.21.0'), { ...at, version: '0.16.0' })).toBe(true);
    expect(matchesEntry(entry({ peer: 'java' }, '>=0.16.0 <0.21.0'), { ...at, version: '0.21.0' })).toBe(false);
  });

  it('leave out the cases their except names', () => {
    const e = { ...entry({ peer: 'java' }), except: { case: 'uuid-*' } };
    expect(matchesEntry(e, at)).toBe(false);
    expect(matchesEntry(e, { ...at, case: 'ping' })).toBe(true);
    expect(matchesEntry({ ...e, except: { case: 'uuid-*', transport: 'http' } }, at)).toBe(true); // every except axis must match
    expect(matchesEntry({ ...e, except: [{ transport: 'http' }, { case: 'uuid-*' }] }, at)).toBe(false); // any pattern of a list leaves it out
    expect(matchesEntry({ ...e, except: [{ transport: 'http' }, { case: 'ping' }] }, at)).toBe(true);
  });

  it('take an axis given as undefined as any value, and an axis older results lack as the empty value', () => {
    expect(matchesEntry(entry({ peer: 'java', socket: undefined }), at)).toBe(true);
    const { socket: _socket, ...older } = at;
    expect(matchesEntry(entry({ socket: 'tcp' }), older)).toBe(false);
    expect(matchesEntry(entry({ socket: '*' }), older)).toBe(true);
    expect(matchesEntry(entry({ socket: '' }), older)).toBe(true);
    const { version: _version, ...oldest } = older;
    expect(matchesEntry(entry({ peer: 'java' }, '>=0.0.0'), oldest)).toBe(false); // no release to put in a range
  });

  it('gives the first entry that matches', () => {
    const entries = [{ ...entry({ peer: 'python' }), id: 'a' }, { ...entry({ peer: 'java' }), id: 'b' }, { ...entry({ case: 'uuid-*' }), id: 'c' }];
    expect(knownFailureFor(at, entries)?.id).toBe('b');
    expect(knownFailureFor({ ...at, peer: 'go' , case: 'x' }, entries)).toBeUndefined();
  });

  it('with setOffBy, apply to that case and the cases after it in the cell, to none when it is not selected', () => {
    const crash = { ...entry({ peer: 'java' }), id: 'crash', setOffBy: 'echo-null' };
    expect(knownFailureFor({ ...at, case: 'echo-null' }, [crash], [])?.id).toBe('crash');
    expect(knownFailureFor({ ...at, case: 'echo-int' }, [crash], ['ping', 'echo-null'])?.id).toBe('crash');
    expect(knownFailureFor({ ...at, case: 'echo-int' }, [crash], ['ping'])).toBeUndefined();
    expect(knownFailureFor({ ...at, case: 'echo-int' }, [crash])).toBeUndefined();
  });

  it('with setOffBy, asks a function for the earlier cases only when such an entry matches', () => {
    const crash = { ...entry({ peer: 'java' }), id: 'crash', setOffBy: 'echo-null' };
    let asked = 0;
    const earlier = (ids: string[]) => () => { asked++; return ids; };
    expect(knownFailureFor({ ...at, case: 'echo-int' }, [crash], earlier(['ping', 'echo-null']))?.id).toBe('crash');
    expect(knownFailureFor({ ...at, case: 'echo-int' }, [crash], earlier(['ping']))).toBeUndefined();
    expect(asked).toBe(2);
    expect(knownFailureFor({ ...at, case: 'echo-int' }, [entry({ peer: 'java' })], earlier([]))?.id).toBe('e');
    expect(knownFailureFor({ ...at, peer: 'python' }, [crash], earlier(['echo-null']))).toBeUndefined();
    expect(asked).toBe(2);
  });
});

describe('the entries of a cell', () => {
  const { case: _case, ...cell } = at;
  const named = (id: string, match: KnownFailure['match'], versions?: string): KnownFailure => ({ ...entry(match, versions), id });

  it('keeps the entries whose every axis but the case matches the cell, whatever their case pattern', () => {
    const entries = [
      named('any-case', { peer: 'java', case: 'uuid-*' }),
      named('other-peer', { peer: 'python', case: 'uuid-*' }),
      named('no-case', { family: 'thrift', transport: 'framed' }),
      named('other-transport', { family: 'thrift', transport: 'http' }),
      named('case-only', { case: 'nothing-like-this' }),
      named('glob-axis', { protocol: 'bin*' }),
    ];
    expect(entriesForCell(cell, entries).map((e) => e.id)).toEqual(['any-case', 'no-case', 'case-only', 'glob-axis']);
  });

  it('keeps the entries whose version range holds the cell\'s release', () => {
    const entries = [named('older', { peer: 'java' }, '<0.20.0'), named('this', { peer: 'java' }, '>=0.20.0 <0.21.0'), named('every', { peer: 'java' })];
    expect(entriesForCell(cell, entries).map((e) => e.id)).toEqual(['this', 'every']);
    const { version: _version, ...noRelease } = cell;
    expect(entriesForCell(noRelease, entries).map((e) => e.id)).toEqual(['every']);
  });

  it('keeps an entry whose except leaves out only some cases, and gives each case the same answer as the whole file', () => {
    const entries = [{ ...named('except', { peer: 'java' }), except: { case: 'uuid-*' } }, named('later', { family: 'thrift' })];
    expect(entriesForCell(cell, entries).map((e) => e.id)).toEqual(['except', 'later']);
    for (const id of ['uuid-byte-order', 'ping']) {
      expect(knownFailureFor({ ...cell, case: id }, entriesForCell(cell, entries))?.id).toBe(knownFailureFor({ ...cell, case: id }, entries)?.id);
    }
  });
});

describe('globs', () => {
  it('are compiled once each', () => {
    expect(globRegExp('echo-*')).toBe(globRegExp('echo-*'));
  });

  it('treat every character but * literally', () => {
    expect(matchesEntry(entry({ case: 'a.b' }), { ...at, case: 'axb' })).toBe(false);
    expect(matchesEntry(entry({ case: 'a+b' }), { ...at, case: 'a+b' })).toBe(true);
    expect(matchesEntry(entry({ case: '(x)|y' }), { ...at, case: '(x)|y' })).toBe(true);
    expect(matchesEntry(entry({ case: '*' }), { ...at, case: '' })).toBe(true);
  });
});

describe('the known-failures file', () => {
  it('loads its entries', () => {
    const entries = loadKnownFailures(KNOWN_FAILURES_FILE);
    expect(entries.length).toBeGreaterThan(0);
    expect(loadKnownFailures()).toEqual(entries);
  });

  it('stops on a file that does not fit its schema, naming it by its path in the repository, or in full outside it', () => {
    expect(() => loadKnownFailures(join(REPO_ROOT, 'package.json'))).toThrow(/^package\.json does not fit harness\/schemas\/known-failures\.schema\.json/);
    const outside = join(scratchDirectory('known-failures-'), 'known-failures.json');
    writeFileSync(outside, JSON.stringify({ entries: [{ id: 'e', match: {} }] }));
    expect(() => loadKnownFailures(outside)).toThrow(`${outside} does not fit`);
  });
});
