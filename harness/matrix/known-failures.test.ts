import { describe, expect, it } from 'vitest';
import type { CaseCoordinates } from './axes.ts';
import { knownFailureFor, matchesEntry, type KnownFailure } from './known-failures.ts';

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
});

describe('globs', () => {
  it('treat every character but * literally', () => {
    expect(matchesEntry(entry({ case: 'a.b' }), { ...at, case: 'axb' })).toBe(false);
    expect(matchesEntry(entry({ case: 'a+b' }), { ...at, case: 'a+b' })).toBe(true);
    expect(matchesEntry(entry({ case: '(x)|y' }), { ...at, case: '(x)|y' })).toBe(true);
    expect(matchesEntry(entry({ case: '*' }), { ...at, case: '' })).toBe(true);
  });
});
