// Errors between avro-js's shapes and the contract's (harness/contract/avro.ts).
//
// avro-js calls back with a value of the message's error union: {string: text} for a system
// error, {"<full name>": record} for a declared one; failures of its own machinery (a bad frame,
// a handshake it refuses, an unknown server message) come as Error instances. It also reports
// some local conditions ("interrupted", "emitter destroyed", a request it cannot encode) as
// {string: ...}: there is no way to tell those from a server's system error, so they read as one.
import type { LibraryError } from './library.ts';
import type { ValueConverter } from './values.ts';

export type ContractError =
  | { readonly kind: 'declared'; readonly type: string; readonly value: unknown }
  | { readonly kind: 'system'; readonly message: string };

export function withContract(error: Error, avro: ContractError): Error {
  return Object.assign(error, { avro });
}

/** An avro-js callback error as the contract's rejection. */
export function fromLibraryError(values: ValueConverter, message: string, error: LibraryError): Error {
  if (error instanceof Error) return error;
  const [branch] = Object.keys(error);
  const value = branch === undefined ? undefined : error[branch];
  if (branch === 'string') return withContract(new Error(String(value)), { kind: 'system', message: String(value) });
  const schema = branch === undefined ? undefined : values.errorSchema(message, branch);
  if (branch === undefined || !schema) return new Error(`avro-js returned an error outside the message's error union: ${JSON.stringify(Object.keys(error))}`);
  const record = values.errorOut(schema, value);
  return withContract(new Error(`declared error ${branch}`), { kind: 'declared', type: branch, value: record });
}

/** A handler's failure as the value avro-js writes into the error union. */
export function toLibraryError(values: ValueConverter, message: string, error: unknown): LibraryError {
  const carried = (error as { avro?: ContractError } | null)?.avro;
  if (carried?.kind === 'declared') {
    const schema = values.errorSchema(message, carried.type);
    // An error the message does not declare: handed over as it is, avro-js decides what to write.
    const value = schema ? values.errorIn(schema, carried.value) : carried.value;
    return { [carried.type]: value };
  }
  return { string: error instanceof Error ? error.message : String(error) };
}
