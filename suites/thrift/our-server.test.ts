// What our Thrift server checks about the arguments it decoded (no peer needed: the seen calls are given).
import { describe, expect, it } from 'vitest';
import { ExactInt64 } from '../../impls/npm-thrift/int64.ts';
import { loadCases, type ThriftCase } from './cases.ts';
import { argumentProblems } from './our-server.ts';

const byId = (id: string): ThriftCase => {
  const found = loadCases().find((c) => c.id === id);
  if (!found) throw new Error(`no case ${id}`);
  return found;
};

describe('our Thrift server\'s argument check', () => {
  it('accepts the value the case sends and names a value that arrived different', () => {
    expect(argumentProblems(byId('i32-max'), [{ service: 'Conformance', method: 'echoI32', args: [2147483647] }])).toEqual([]);
    const problems = argumentProblems(byId('i32-max'), [{ service: 'Conformance', method: 'echoI32', args: [2147483646] }]);
    expect(problems).toEqual(['no Conformance.echoI32 call arrived with arguments {"value":2147483647}; 1 arrived, e.g. {"value":2147483646}']);
    expect(argumentProblems(byId('i32-max'), [])).toHaveLength(1);
  });

  it('expects IDL defaults for the struct fields a case leaves out', () => {
    const filled = { id: ExactInt64.fromBigInt(1n), count: 7, label: 'seven', limit: 42, primes: [2, 3, 5, 7], color: 2, ratio: 0.5 };
    expect(argumentProblems(byId('struct-defaults-filled'), [{ service: 'Conformance', method: 'echoDefaults', args: [filled] }])).toEqual([]);
    expect(argumentProblems(byId('struct-defaults-filled'), [{ service: 'Conformance', method: 'echoDefaults', args: [{ ...filled, count: 8 }] }])).toHaveLength(1);
  });
});
