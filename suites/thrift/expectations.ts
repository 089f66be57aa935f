// Checks one call's outcome against a case's expectation, by the catalogue's equality rules, with
// expected and actual kept apart for the reports (harness/results/mismatch.ts).
import { thriftErrorOf } from '../../harness/contract/thrift.ts';
import { CaseMismatch } from '../../harness/results/case-mismatch.ts';
import type { CallSpec, Expect } from './catalogue.ts';
import { conformanceIdl } from './idl.ts';
import { fromNotation, show, thriftEquals } from './notation.ts';
import type { Outcome } from '../outcome.ts';

/** TApplicationException types by number, as cases name them. */
export const APPLICATION_ERROR_TYPES: readonly string[] = [
  'UNKNOWN', 'UNKNOWN_METHOD', 'INVALID_MESSAGE_TYPE', 'WRONG_METHOD_NAME', 'BAD_SEQUENCE_ID', 'MISSING_RESULT',
  'INTERNAL_ERROR', 'PROTOCOL_ERROR', 'INVALID_TRANSFORM', 'INVALID_PROTOCOL', 'UNSUPPORTED_CLIENT_TYPE',
];

export function applicationErrorName(type: number): string {
  return APPLICATION_ERROR_TYPES[type] ?? `type ${type}`;
}

/** The outcome in words: what a failure message shows as "actual". */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.ok) return `response ${show(outcome.value)}`;
  const carried = thriftErrorOf(outcome.error);
  if (carried?.kind === 'declared') return `declared exception ${carried.type} ${show(carried.value)}`;
  if (carried?.kind === 'application') return `TApplicationException ${applicationErrorName(carried.type)} "${carried.message}"`;
  const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  return `${error.name}: ${error.message}`;
}

function expectedText(expect: Expect, value: unknown): string {
  if (expect.exception) return `declared exception ${expect.exception.type} ${show(value)}`;
  if (expect.applicationError) return `TApplicationException ${expect.applicationError.type}${expect.applicationError.message !== undefined ? ` "${expect.applicationError.message}"` : ''}`;
  return `response ${show(value)}`;
}

/** Undefined when the outcome is what the call expects. */
export function mismatch(spec: CallSpec, outcome: Outcome): CaseMismatch | undefined {
  const idl = conformanceIdl();
  const fn = idl.fn(spec.service ?? 'Conformance', spec.method);
  const expect = spec.expect;
  const actual = describeOutcome(outcome);
  const carried = outcome.ok ? undefined : thriftErrorOf(outcome.error);
  if ('response' in expect) {
    const expected = fn.oneway ? null : fromNotation(idl, fn.returns, expect.response ?? null);
    if (outcome.ok && (fn.oneway || fn.returns.kind === 'void' ? outcome.value === null || outcome.value === undefined : thriftEquals(idl, fn.returns, outcome.value, expected))) return undefined;
    return new CaseMismatch({ what: `${spec.method}: the answer differs`, expected: expectedText(expect, expected), actual: actual });
  }
  if (expect.exception) {
    const type = { kind: 'struct', name: expect.exception.type } as const;
    const expected = fromNotation(idl, type, expect.exception.value);
    if (carried?.kind === 'declared' && carried.type === expect.exception.type && thriftEquals(idl, type, carried.value, expected)) return undefined;
    return new CaseMismatch({ what: `${spec.method}: expected the declared exception`, expected: expectedText(expect, expected), actual: actual });
  }
  if (expect.applicationError) {
    const wanted = expect.applicationError;
    if (carried?.kind === 'application' && applicationErrorName(carried.type) === wanted.type && (wanted.message === undefined || carried.message === wanted.message)) return undefined;
    return new CaseMismatch({ what: `${spec.method}: expected a TApplicationException`, expected: expectedText(expect, undefined), actual: actual });
  }
  return new CaseMismatch({ what: 'the case has no expectation', expected: 'an expectation in cases.json', actual: '' });
}
