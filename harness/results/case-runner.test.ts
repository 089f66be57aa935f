import { describe, expect, it } from 'vitest';
import type { CaseCoordinates } from '../matrix/axes.ts';
import type { KnownFailure } from '../matrix/known-failures.ts';
import type { ConformanceMeta } from './case-meta.ts';
import { runCase } from './case-runner.ts';

const coordinates = { case: 'c' } as CaseCoordinates;
const entry: KnownFailure = { id: 'py-ping', match: {}, reason: 'python crashes on ping', evidence: '' };
const meta = (): ConformanceMeta => ({ coordinates, knownFailure: undefined });

describe('runCase', () => {
  it('passes and fails ordinary cases as they are', async () => {
    await expect(runCase({ title: 't', timeoutMs: 1000, known: undefined, meta: meta(), body: async () => undefined })).resolves.toBeUndefined();
    await expect(runCase({ title: 't', timeoutMs: 1000, known: undefined, meta: meta(), body: async () => { throw new Error('boom'); } })).rejects.toThrow('boom');
  });

  it('turns a hang into a timeout naming the case', async () => {
    const hang = (): Promise<void> => new Promise(() => undefined);
    await expect(runCase({ title: 'avro | x | case-1', timeoutMs: 20, known: undefined, meta: meta(), body: hang }))
      .rejects.toMatchObject({ name: 'CaseTimeoutError', message: expect.stringContaining('avro | x | case-1') });
  });

  it('keeps an expected failure\'s error as evidence, and names the stale entry and its reason on a pass', async () => {
    const m = meta();
    const failing = Object.assign(new Error('interrupted'), { wire: '00ff' });
    await runCase({ title: 't', timeoutMs: 1000, known: entry, meta: m, body: async () => { throw failing; } });
    expect(m.observed).toMatchObject({ message: 'interrupted', wire: '00ff' });
    await expect(runCase({ title: 'avro | t', timeoutMs: 1000, known: entry, meta: meta(), body: async () => undefined }))
      .rejects.toMatchObject({ name: 'StaleKnownFailureError', message: expect.stringMatching(/"py-ping" is stale.*python crashes on ping/) });
  });

  it('counts a known-failure case that hangs as failing the way its entry says', async () => {
    const m = meta();
    await runCase({ title: 't', timeoutMs: 20, known: entry, meta: m, body: () => new Promise(() => undefined) });
    expect(m.observed?.name).toBe('CaseTimeoutError');
  });

  it('lets a case under an intermittent entry pass, and says so in its meta', async () => {
    const m = meta();
    await runCase({ title: 't', timeoutMs: 1000, known: { ...entry, intermittent: true }, meta: m, body: async () => undefined });
    expect(m.intermittentPass).toBe(true);
    expect(m.observed).toBeUndefined();
  });
});
