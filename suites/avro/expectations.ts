// Checks one call's outcome against a case's expectation, with the catalogue's equality rules.
// The schema information comes from the suite's own reading of the protocol file (impls/avro's
// parser, which wraps avsc's); outcomes come from any implementation in the contract's shapes.
import { parseProtocol, type Protocol } from '../../impls/avro/index.ts';
import { avroErrorOf } from '../../harness/contract/avro.ts';
import { CaseMismatch } from '../../harness/results/case-mismatch.ts';
import { protocolText, type Expectation, type Json } from './catalogue.ts';
import { avroEquals, fromNotation, show } from './notation.ts';
import type { Outcome } from '../outcome.ts';

const protocols = new Map<string, Protocol>();

/** The suite's reading of a protocol file (types for the value notation and comparisons). */
export function loadProtocol(name: string): Protocol {
  let protocol = protocols.get(name);
  if (!protocol) {
    protocol = parseProtocol(protocolText(name));
    protocols.set(name, protocol);
  }
  return protocol;
}

export function requestFromNotation(protocol: Protocol, message: string, request: Record<string, Json>): Record<string, unknown> {
  const definition = protocol.messages.get(message);
  if (!definition) throw new Error(`protocol ${protocol.name} has no message ${message}`);
  return fromNotation(definition.request, request) as Record<string, unknown>;
}

/** The outcome in words: what a failure message shows as "actual". */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.ok) return `response ${show(outcome.value)}`;
  const carried = avroErrorOf(outcome.error);
  if (carried?.kind === 'declared') return `declared error ${carried.type} ${show(carried.value)}`;
  if (carried?.kind === 'system') return `system error "${carried.message}"`;
  const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  return `${error.name}: ${error.message}`;
}

/** Undefined when the outcome is what the case expects; otherwise the mismatch, expected and actual apart. */
export function mismatch(protocol: Protocol, message: string, expect: Expectation, outcome: Outcome): CaseMismatch | undefined {
  const definition = protocol.messages.get(message);
  if (!definition) return new CaseMismatch({ what: `protocol ${protocol.name} has no message ${message}`, expected: message, actual: '' });
  const actual = describeOutcome(outcome);
  const carried = outcome.ok ? undefined : avroErrorOf(outcome.error);
  if (expect.response !== undefined) {
    const expected = fromNotation(definition.response, expect.response);
    if (outcome.ok && avroEquals(definition.response, outcome.value, expected)) return undefined;
    return new CaseMismatch({ what: `${message}: the answer differs`, expected: `response ${show(expected)}`, actual: actual });
  }
  if (expect.error) {
    const errorType = protocol.types.get(expect.error.type);
    if (!errorType) return new CaseMismatch({ what: `protocol has no error type ${expect.error.type}`, expected: expect.error.type, actual: actual });
    const expected = fromNotation(errorType, expect.error.value);
    if (carried?.kind === 'declared' && carried.type === expect.error.type && avroEquals(errorType, carried.value, expected)) return undefined;
    return new CaseMismatch({ what: `${message}: expected the declared error`, expected: `declared error ${expect.error.type} ${show(expected)}`, actual: actual });
  }
  if (expect.systemError !== undefined) {
    if (carried?.kind === 'system' && carried.message.includes(expect.systemError)) return undefined;
    return new CaseMismatch({ what: `${message}: expected a system error`, expected: `system error containing "${expect.systemError}"`, actual: actual });
  }
  return new CaseMismatch({ what: 'the case has no expectation', expected: 'an expectation in cases.json', actual: '' });
}
