// Reading IDL at run time: typedefs, enums, constants and defaults, includes, service inheritance,
// uuid; and errors that say where.
import { describe, expect, it } from 'vitest';
import { loadIdl, parseIdl } from './load.ts';
import { IDL_PATH } from '../../../suites/thrift/catalogue.ts';

describe('the conformance IDL', () => {
  const idl = loadIdl(IDL_PATH);

  it('resolves typedefs, enums and uuid', () => {
    expect(idl.method('Conformance', 'echoTypedef').returns).toEqual({ kind: 'i64' });
    const shape = idl.struct('Shape');
    const outline = shape.byName.get('outline')?.type;
    expect(outline?.kind === 'list' && outline.elem.kind === 'struct' && outline.elem.def.name).toBe('Point');
    expect(idl.enums.get('Color')?.values.get('ULTRAVIOLET')).toBe(1000000);
    expect(idl.struct('Tagged').byName.get('id')?.type).toEqual({ kind: 'uuid' });
  });

  it('gives a fresh copy of every default', () => {
    const primes = idl.struct('Defaults').byName.get('primes');
    const first = primes?.makeDefault?.() as number[];
    first.push(11);
    expect(primes?.makeDefault?.()).toEqual([2, 3, 5, 7]);
    expect(idl.struct('Defaults').byName.get('color')?.makeDefault?.()).toBe(2);
  });

  it('knows one-way methods, result structs and declared exceptions', () => {
    const fail = idl.method('Conformance', 'fail');
    expect([...fail.throwsByType.keys()]).toEqual(['ConformanceError', 'OtherError']);
    expect(fail.result.fields.map((f) => [f.id, f.name])).toEqual([[1, 'conformance'], [2, 'other']]);
    expect(idl.method('Conformance', 'notify').oneway).toBe(true);
    expect(idl.method('Conformance', 'gather').args.fields.map((f) => f.id)).toEqual([3, 1, 2, 4, 5, 6, 7, 8, 9]);
  });
});

describe('IDL features beyond the conformance file', () => {
  const files: Record<string, string> = {
    '/idl/shared.thrift': `
      enum Level { LOW = -1, HIGH }
      const i64 BIG = 0x7fffffffffffffff
      struct Base { 1: required string name = "n", 2: Level level = Level.HIGH }
      service Parent { string hello(1: string who) }
    `,
    '/idl/main.thrift': `
      include "shared.thrift"
      typedef shared.Base Alias
      typedef Alias AliasOfAlias
      const list<shared.Level> LEVELS = [shared.Level.LOW, 0]
      const map<string, i32> WEIGHTS = {"a": 1, "b": -2}
      struct Holder {
        1: AliasOfAlias base = {"name": "x"},
        2: i64 big = shared.BIG,
        3: map<string, i32> weights = WEIGHTS,
        4: double ratio = 1,
        5: binary raw = "ab",
        6: set<uuid> ids = ["00112233-4455-6677-8899-AABBCCDDEEFF"],
      }
      service Child extends shared.Parent { oneway void poke() }
    `,
  };
  const readFile = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error(`no file ${path}`);
    return text;
  };

  it('resolves included types, constants, typedef chains and inherited methods', () => {
    const idl = loadIdl('/idl/main.thrift', { readFile });
    const holder = idl.struct('Holder');
    const base = holder.byName.get('base')?.type;
    expect(base?.kind === 'struct' ? base.def.name : base?.kind).toBe('shared.Base');
    expect(holder.byName.get('base')?.makeDefault?.()).toEqual({ name: 'x' });
    expect(holder.byName.get('big')?.makeDefault?.()).toBe(9223372036854775807n);
    expect(holder.byName.get('weights')?.makeDefault?.()).toEqual(new Map([['a', 1], ['b', -2]]));
    expect(holder.byName.get('ratio')?.makeDefault?.()).toBe(1);
    expect(holder.byName.get('raw')?.makeDefault?.()).toEqual(Buffer.from('ab'));
    expect(holder.byName.get('ids')?.makeDefault?.()).toEqual(['00112233-4455-6677-8899-aabbccddeeff']);
    expect(idl.constants.get('LEVELS')).toEqual([-1, 0]);
    expect(idl.enums.get('shared.Level')?.values.get('HIGH')).toBe(0);
    expect([...idl.service('Child').functions.keys()]).toEqual(['hello', 'poke']);
    expect(idl.method('Child', 'hello').service).toBe('shared.Parent');
  });

  it('names the unknown type and its place', () => {
    expect(() => parseIdl('struct A { 1: Missing m }')).toThrow(/A.m: unknown type Missing/);
    expect(() => parseIdl('struct A { 1: i32 a, 1: i32 b }')).toThrow(/field id 1 is used twice/);
    expect(() => parseIdl('const i8 X = 300')).toThrow(/300 does not fit i8/);
    expect(() => parseIdl('struct A { 1: i32 a')).toThrow(/cannot parse/);
    expect(() => parseIdl('service S { oneway i32 f() }')).toThrow(/oneway/);
  });
});
