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
    const silent = classify(observed({ state: 'skipped', suiteErrors: [{ name: 'Error' }] }), context);
    expect(silent.failure?.summary).toBe('cell setup failed:'); // the error had no message
    expect(Object.keys(classify(observed({}), context))).not.toContain('skipReason'); // only skips carry one
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

describe('classify, the paths a run rarely takes', () => {
  const flaky = { id: 'slow-start', match: { peer: 'python' }, reason: 'the first attempt is slow' };
  const withFlaky: ClassifyContext = { ...context, knownFlaky: new Map([[flaky.id, flaky]]) };

  it('keeps the known-flaky entry and its reason, and says when an entry is missing from the files', () => {
    const result = classify(observed({ meta: { coordinates, knownFailure: undefined, knownFlaky: 'slow-start' }, attempts: 2 }), withFlaky);
    expect(result.knownFlaky).toEqual({ id: 'slow-start', reason: 'the first attempt is slow' });
    expect(result.outcome).toBe('pass');
    const gone = classify(observed({ meta: { coordinates, knownFailure: undefined, knownFlaky: 'vanished' } }), withFlaky);
    expect(gone.knownFlaky).toEqual({ id: 'vanished', reason: '(entry not found in suites/known-flaky.json)' });
    const missing = classify(observed({ meta: { coordinates, knownFailure: 'vanished', observed: { message: 'x' } } }), context);
    expect(missing.knownFailure).toEqual({ id: 'vanished', reason: '(entry not found in suites/known-failures.json)' });
    expect(classify(observed({}), withFlaky).knownFlaky).toBeUndefined();
    expect(classify(observed({}), context).knownFailure).toBeUndefined();
  });

  it('carries the upstream link, the logs, the peer run and the traced bytes', () => {
    const upstreamEntry = { ...entry, upstream: 'https://issues.apache.org/jira/browse/AVRO-3803' };
    const result = classify(observed({
      meta: {
        coordinates, knownFailure: 'py-ping', observed: { message: 'dropped' }, logs: { peer: 'reports/logs/x.log' },
        peerRun: { image: 'img', role: 'server', args: ['server', '--plan', '/p'] }, wire: [{ label: 'sent', hex: '00' }],
      },
    }), { ...context, knownFailures: new Map([[entry.id, upstreamEntry]]) });
    expect(result.knownFailure?.upstream).toBe('https://issues.apache.org/jira/browse/AVRO-3803');
    expect(result.logs).toEqual({ peer: 'reports/logs/x.log' });
    expect(result.peerRun?.args).toEqual(['server', '--plan', '/p']);
    expect(result.wire).toEqual([{ label: 'sent', hex: '00' }]);
    expect(classify(observed({}), context).wire).toBeUndefined();
  });

  it('reads a test left pending as not finished, a failed setup of a known case as expected, a setup timeout as a timeout', () => {
    const pending = classify(observed({ state: 'pending' }), context);
    expect(pending).toMatchObject({ outcome: 'skipped', skipReason: 'did not finish: the run was interrupted' });
    const meta = { coordinates, knownFailure: 'py-ping' };
    const knownSetup = classify(observed({ meta, state: 'skipped', suiteErrors: [{ message: 'no listener' }] }), context);
    expect(knownSetup.outcome).toBe('expected-failure');
    expect(knownSetup.failure?.summary).toBe('cell setup failed: no listener');
    const slowSetup = classify(observed({ state: 'skipped', suiteErrors: [{ message: 'Hook timed out in 1000ms.' }] }), context);
    expect(slowSetup.outcome).toBe('timeout');
    expect(classify(observed({ state: 'failed', errors: [] }), context).outcome).toBe('fail');
    expect(classify(observed({ state: 'failed', errors: [{ message: 'x' }] }), context).skipReason).toBeUndefined();
    const timedOut = classify(observed({ state: 'failed', errors: [{ name: 'CaseTimeoutError', message: 'timeout: t did not finish' }] }), context);
    expect(timedOut.failure?.summary).toBe('timeout: t did not finish');
  });
});
