// Checks one call's outcome against a case's expectation, with the catalogue's equality rules.
import { AvroRemoteError, AvroSystemError, type Protocol } from '../../impls/avro/index.ts';
import type { Expectation, Json } from './catalogue.ts';
import { avroEquals, fromNotation, show } from './notation.ts';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export async function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export function requestFromNotation(protocol: Protocol, message: string, request: Record<string, Json>): Record<string, unknown> {
  const definition = protocol.messages.get(message);
  if (!definition) throw new Error(`protocol ${protocol.name} has no message ${message}`);
  return fromNotation(definition.request, request) as Record<string, unknown>;
}

/** Returns a description of the mismatch, or undefined when the outcome is what the case expects. */
export function mismatch(protocol: Protocol, message: string, expect: Expectation, outcome: Outcome): string | undefined {
  const definition = protocol.messages.get(message);
  if (!definition) return `protocol ${protocol.name} has no message ${message}`;
  const got = outcome.ok ? `response ${show(outcome.value)}` : `${(outcome.error as Error).name}: ${(outcome.error as Error).message}`;
  if (expect.response !== undefined) {
    if (!outcome.ok) return `expected response ${show(expect.response)}\n  actual: ${got}`;
    const expected = fromNotation(definition.response, expect.response);
    return avroEquals(definition.response, outcome.value, expected) ? undefined : `expected: ${show(expected)}\n  actual: ${got}`;
  }
  if (expect.error) {
    if (outcome.ok || !(outcome.error instanceof AvroRemoteError)) return `expected declared error ${expect.error.type} ${show(expect.error.value)}\n  actual: ${got}`;
    const errorType = protocol.types.get(expect.error.type);
    if (!errorType) return `protocol has no error type ${expect.error.type}`;
    const expected = fromNotation(errorType, expect.error.value);
    const same = outcome.error.errorType === expect.error.type && avroEquals(errorType, outcome.error.value, expected);
    return same ? undefined : `expected: ${expect.error.type} ${show(expected)}\n  actual: ${got}`;
  }
  if (expect.systemError !== undefined) {
    if (outcome.ok || !(outcome.error instanceof AvroSystemError)) return `expected a system error containing "${expect.systemError}"\n  actual: ${got}`;
    return outcome.error.message.includes(expect.systemError) ? undefined : `expected a system error containing "${expect.systemError}"\n  actual: ${got}`;
  }
  return 'case has no expectation';
}
