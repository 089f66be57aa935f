import { describe, expect, it } from 'vitest';
import type { CaseCoordinates } from '../matrix/axes.ts';
import type { KnownFailure } from '../matrix/known-failures.ts';
import { classify, type ClassifyContext, type ObservedCase } from './classify.ts';

const coordinates: CaseCoordinates = {
  family: 'avro', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python',
  version: '1.0.0', socket: 'tcp', implementation: 'ours', transport: 'http', protocol: 'mail', serverKind: 'http.server', case: 'mail-send-ascii',
};
const entry: KnownFailure = { id: 'py-ping', match: { peer: 'python' }, reason: 'python crashes on ping', evidence: '...' };
const context: ClassifyContext = { knownFailures: new Map([[entry.id, entry]]), knownFlaky: new Map() };

function observed(overrides: Partial<ObservedCase>): ObservedCase {
  return { meta: { coordinates, knownFailure: undefined }, state: 'passed', errors: [], suiteErrors: [], durationMs: 12.4, attempts: 1, ...overrides };
}

describe('classify', () => {
  it('passes and fails ordinary cases, keeping every axis in the title', () => {
    const passed = classify(observed({}), context);
    expect(passed.outcome).toBe('pass');
    expect(passed.title).toBe('avro | ours -> python@1.0.0 | http | mail | tcp | http.server | mail-send-ascii');
    expect(passed.durationMs).toBe(12);
    const failed = classify(observed({ state: 'failed', errors: [{ message: 'boom', expected: '1', actual: '2' }] }), context);
    expect(failed.outcome).toBe('fail');
    expect(failed.failure?.expected).toBe('1');
  });

  it('counts a pass under an intermittent entry as a pass, keeping the entry', () => {
    const meta = { coordinates, knownFailure: 'py-ping', intermittentPass: true };
    const result = classify(observed({ meta }), context);
    expect(result.outcome).toBe('pass');
    expect(result.knownFailure?.id).toBe('py-ping');
  });

  it('tells expected failures from unexpected passes and names the entry', () => {
    const meta = { coordinates, knownFailure: 'py-ping', observed: { message: 'interrupted' } };
    const expected = classify(observed({ meta }), context);
    expect(expected.outcome).toBe('expected-failure');
    expect(expected.knownFailure).toEqual({ id: 'py-ping', reason: 'python crashes on ping' });
    expect(expected.failure?.summary).toBe('interrupted');
    const stale = classify(observed({ meta, state: 'failed', errors: [{ name: 'StaleKnownFailureError', message: 'unexpected pass: py-ping' }] }), context);
    expect(stale.outcome).toBe('unexpected-pass');
  });

  it('recognises our own and vitest timeouts', () => {
    expect(classify(observed({ state: 'failed', errors: [{ name: 'CaseTimeoutError', message: 'x' }] }), context).outcome).toBe('timeout');
    expect(classify(observed({ state: 'failed', errors: [{ message: 'Test timed out in 5000ms.' }] }), context).outcome).toBe('timeout');
  });

  it('never reports a skip without a reason, and a failed cell setup as a failure', () => {
    expect(classify(observed({ state: 'skipped' }), { ...context, runSkipReason: 'Docker is unreachable' }).skipReason).toBe('Docker is unreachable');
    expect(classify(observed({ state: 'skipped', skipNote: 'peer cannot' }), context).skipReason).toBe('peer cannot');
    expect(classify(observed({ state: 'skipped' }), context).skipReason).toMatch(/not selected/);
    const setup = classify(observed({ state: 'skipped', suiteErrors: [{ message: 'peer python server did not become ready' }] }), context);
    expect(setup.outcome).toBe('fail');
    expect(setup.failure?.summary).toMatch(/^cell setup failed: peer python/);
  });

  it('keeps what a case measured, whatever its outcome', () => {
    const measured = { reactionMs: 12, rssGrowthMb: 1.5, servedAfter: true };
    expect(classify(observed({ meta: { coordinates, knownFailure: undefined, measured } }), context).measured).toEqual(measured);
    expect(classify(observed({ meta: { coordinates, knownFailure: undefined, measured }, state: 'failed', errors: [{ message: 'slow' }] }), context).measured).toEqual(measured);
    expect(classify(observed({}), context)).not.toHaveProperty('measured');
  });

  it('counts retries', () => {
    expect(classify(observed({ attempts: 3 }), context).attempts).toBe(3);
  });
});
