import { describe, expect, it } from 'vitest';
import type { Cell } from '../matrix/axes.ts';
import { appliesTo, listCells } from './catalogue.ts';
import { globRegExp } from '../matrix/glob.ts';

const cell: Cell = {
  family: 'avro', direction: 'ts-server', client: 'python', server: 'ours', peer: 'python',
  implementation: 'ours', transport: 'http', protocol: 'mail', serverKind: 'ours',
};

describe('the catalogue behind `list`', () => {
  it('applies the case restrictions both families use', () => {
    expect(appliesTo({ id: 'a', protocol: 'mail' }, cell)).toBe(true);
    expect(appliesTo({ id: 'a', protocol: 'conformance' }, cell)).toBe(false);
    expect(appliesTo({ id: 'a', directions: ['ts-client'] }, cell)).toBe(false);
    expect(appliesTo({ id: 'a', transports: ['http', 'tcp'] }, cell)).toBe(true);
    expect(appliesTo({ id: 'a', protocols: ['compact'] }, cell)).toBe(false);
  });

  it('matches case globs on whole ids', () => {
    expect(globRegExp('echo-long-*').test('echo-long-max')).toBe(true);
    expect(globRegExp('echo-long-*').test('x-echo-long-max')).toBe(false);
    expect(globRegExp('a.b').test('axb')).toBe(false);
  });

  it('lists only cells that match the filter, each with the cases that apply, from the declared capabilities', () => {
    const listed = listCells({ family: 'avro', direction: 'ts-client' }, undefined, []);
    for (const { cell: c, cases } of listed) {
      expect(c.family).toBe('avro');
      expect(c.direction).toBe('ts-client');
      expect(cases.length).toBeGreaterThan(0);
    }
    const narrowed = listCells({ family: 'avro' }, 'no-such-case-*', []);
    expect(narrowed).toEqual([]);
  });
});
