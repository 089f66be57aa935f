// The generated code is current, was generated from the documented uuid-free copy of the IDL, and
// the value conversion takes the IDL's types, adds nothing and repairs nothing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedIdl } from './idl.ts';
import { isInt64, structClass } from './runtime.ts';
import { CannotExpress, fromGenerated, toGenerated } from './values.ts';

const stamp = JSON.parse(readFileSync(new URL('./gen/stamp.json', import.meta.url), 'utf8')) as { idl: string; idlSha256: string; removedLines: string[] };
const idlText = readFileSync(new URL(`../../${stamp.idl}`, import.meta.url), 'utf8');

describe('generated code', () => {
  it('was generated from the current IDL (impls/npm-thrift/codegen/generate.sh)', () => {
    expect(createHash('sha256').update(idlText).digest('hex')).toBe(stamp.idlSha256);
  });

  it('left out exactly the IDL lines that declare uuid members, and nothing else', () => {
    const usesUuid = idlText.split('\n').filter((line) => /\buuid\b/.test(line.split('//')[0] ?? '')).map((line) => line.trim());
    expect(stamp.removedLines).toEqual(usesUuid);
    expect(usesUuid.length).toBeGreaterThan(0);
    const description = readFileSync(new URL('./gen/conformance.json', import.meta.url), 'utf8');
    expect(description).not.toMatch(/"uuid"/);
    const idl = generatedIdl();
    expect(idl.fn('Conformance', 'echoUuid')).toBeUndefined();
    expect(idl.struct('Tagged').fields).toEqual([]);
    expect(idl.struct('EvolvingV2').fields.map((f) => f.name)).not.toContain('tag');
    expect(idl.fn('Conformance', 'echoEvolving')).toBeDefined();
  });
});

describe('values', () => {
  const idl = generatedIdl();

  it('i64 goes to npm thrift\'s Int64 and comes back as the same bigint', () => {
    const generated = toGenerated(idl, { kind: 'i64' }, -(2n ** 63n));
    expect(isInt64(generated)).toBe(true);
    expect(fromGenerated(idl, { kind: 'i64' }, generated)).toBe(-(2n ** 63n));
  });

  it('structs become instances of the generated classes, unset fields stay unset', () => {
    const value = { flag: false, large: 5n, blob: Buffer.from('00ff', 'hex'), color: 1000000 };
    const generated = toGenerated(idl, { kind: 'struct', name: 'Scalars' }, value);
    expect(generated).toBeInstanceOf(structClass('Scalars'));
    expect(fromGenerated(idl, { kind: 'struct', name: 'Scalars' }, generated)).toEqual(value);
  });

  it('maps become plain objects with own properties, a "__proto__" key included; what the generated code then does is its own business', () => {
    const generated = toGenerated(idl, { kind: 'map', key: { kind: 'string' }, value: { kind: 'string' } }, new Map([['__proto__', 'p'], ['a', 'b']])) as object;
    expect(Object.keys(generated)).toEqual(['__proto__', 'a']);
    expect(fromGenerated(idl, { kind: 'map', key: { kind: 'string' }, value: { kind: 'string' } }, generated)).toEqual(new Map([['__proto__', 'p'], ['a', 'b']]));
  });

  it('a map key the generated reader made into something that is no value of the key type is an error, not a guess', () => {
    expect(() => fromGenerated(idl, { kind: 'map', key: { kind: 'i64' }, value: { kind: 'string' } }, { Infinity: 'max' })).toThrow(/"Infinity"/);
    expect(fromGenerated(idl, { kind: 'map', key: { kind: 'i64' }, value: { kind: 'string' } }, { '-1': 'm' })).toEqual(new Map([[-1n, 'm']]));
  });

  it('refuses a struct written as another struct, and fields the generated class lacks', () => {
    expect(() => toGenerated(idl, { kind: 'struct', name: 'Evolving' }, { writtenAs: 'EvolvingV2', value: { id: 1 } })).toThrow(CannotExpress);
    expect(() => toGenerated(idl, { kind: 'struct', name: 'EvolvingV2' }, { id: 1, tag: '00000000-0000-0000-0000-000000000000' })).toThrow(/no field tag/);
    expect(toGenerated(idl, { kind: 'struct', name: 'Evolving' }, { writtenAs: 'Evolving', value: { id: 1 } })).toBeInstanceOf(structClass('Evolving'));
  });
});
