import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCells } from '../cli/catalogue.ts';
import { weightOf } from '../matrix/slices.ts';
import { conformanceFileWeights } from './file-weights.ts';

const FILES = ['suites/avro/slice-1.test.ts', 'suites/avro/slice-2.test.ts', 'suites/avro/slice-3.test.ts',
  'suites/hostile/clients.test.ts', 'suites/hostile/servers-avro.test.ts', 'suites/self-check/sharding.test.ts'];

describe('conformanceFileWeights', () => {
  const saved = process.env['CONFORMANCE_FILTER'];
  beforeEach(() => { process.env['CONFORMANCE_FILTER'] = JSON.stringify({ peer: 'python' }); });
  afterEach(() => {
    if (saved === undefined) delete process.env['CONFORMANCE_FILTER'];
    else process.env['CONFORMANCE_FILTER'] = saved;
  });

  it('weighs the slices of a family as the whole family, the other files of a folder an equal share, the rest nothing', async () => {
    const weights = new Map((await conformanceFileWeights(FILES)).map((w) => [w.key, w.weight]));
    const listed = await listCells({ peer: 'python' }, { knownFailures: [] });
    const avro = weightOf(listed.filter((c) => c.cell.family === 'avro'));
    const hostile = weightOf(listed.filter((c) => c.cell.family === 'hostile'));
    expect(avro).toBeGreaterThan(100);
    expect(FILES.slice(0, 3).reduce((sum, f) => sum + (weights.get(f) ?? 0), 0)).toBe(avro);
    expect(FILES.slice(0, 3).every((f) => (weights.get(f) ?? 0) > 0)).toBe(true);
    expect(weights.get('suites/hostile/clients.test.ts')).toBe(Math.ceil(hostile / 2));
    expect(weights.get('suites/self-check/sharding.test.ts')).toBe(0);
  });
});
