import { afterEach, describe, expect, it } from 'vitest';
import { loadImplementations } from '../contract/load.ts';
import { describeImplementations, implementationsOfRun } from './references.ts';
import { ENV } from './run-options.ts';

describe('the implementations a run names in its reports', () => {
  afterEach(() => {
    delete process.env[ENV.implementationsOfRun];
  });

  it('are taken as the CLI described them, without importing any adapter', async () => {
    const described = [{ family: 'thrift', id: 'someone-elses', language: 'javascript', source: '/x/adapter.ts', versions: { lib: '1.0.0' } }];
    process.env[ENV.implementationsOfRun] = JSON.stringify(described);
    expect(await implementationsOfRun()).toEqual(described);
  });

  it('are loaded and described when vitest runs without the CLI, the same as the CLI describes them', async () => {
    const loaded = await loadImplementations();
    const ours = describeImplementations(loaded).find((impl) => impl.source === 'impls/avro');
    expect(ours).toMatchObject({ family: 'avro', language: 'typescript' });
    expect(await implementationsOfRun()).toEqual(describeImplementations(loaded));
  });
});
