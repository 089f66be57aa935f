// Whole messages: a call, its reply (result struct), a TApplicationException, and the reading of
// each. Names carry "Service:method" under the multiplexed protocol.
import { ProtocolError, TApplicationException, ValueError, withContext } from '../errors.ts';
import type { FunctionDef, Idl } from '../idl/model.ts';
import type { MessageHeader, ProtocolReader, ProtocolWriter } from '../protocol/protocol.ts';
import { MessageType, TType } from '../protocol/wire.ts';
import { readStruct, writeStruct, writeValue } from './values.ts';
import { wireTypeOf } from '../idl/model.ts';

/** Writes a CALL (or ONEWAY) message of fn with its arguments. */
export function writeCall(idl: Idl, w: ProtocolWriter, fn: FunctionDef, name: string, seqid: number, args: Record<string, unknown>): void {
  w.writeMessageBegin(name, fn.oneway ? MessageType.ONEWAY : MessageType.CALL, seqid);
  try {
    writeStruct(idl, w, fn.args, args);
  } catch (error) {
    throw withContext(error, `arguments of ${fn.service}.${fn.name}`);
  }
  w.writeMessageEnd();
}

/** Writes a CALL with an empty argument struct under any name (the IDL need not know it). */
export function writeEmptyCall(w: ProtocolWriter, name: string, type: number, seqid: number): void {
  w.writeMessageBegin(name, type, seqid);
  w.writeStructBegin();
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeMessageEnd();
}

export type Outcome =
  | { readonly kind: 'response'; readonly value: unknown }
  | { readonly kind: 'exception'; readonly type: string; readonly value: Record<string, unknown> };

/** Writes the REPLY of fn: the return value in field 0 or a declared exception in its field. */
export function writeReply(idl: Idl, w: ProtocolWriter, fn: FunctionDef, name: string, seqid: number, outcome: Outcome): void {
  w.writeMessageBegin(name, MessageType.REPLY, seqid);
  w.writeStructBegin();
  if (outcome.kind === 'response') {
    if (fn.returns) {
      if (outcome.value === undefined || outcome.value === null) throw new ValueError(`${fn.service}.${fn.name} returned nothing; it must return ${fn.returns.kind}`);
      w.writeFieldBegin(wireTypeOf(fn.returns), 0);
      try {
        writeValue(idl, w, fn.returns, outcome.value);
      } catch (error) {
        throw withContext(error, `the answer of ${fn.service}.${fn.name}`);
      }
      w.writeFieldEnd();
    }
  } else {
    const field = fn.throwsByType.get(outcome.type);
    if (!field) throw new ValueError(`${fn.service}.${fn.name} does not declare ${outcome.type}`);
    w.writeFieldBegin(TType.STRUCT, field.id);
    try {
      writeValue(idl, w, field.type, outcome.value);
    } catch (error) {
      throw withContext(error, `exception ${outcome.type} of ${fn.service}.${fn.name}`);
    }
    w.writeFieldEnd();
  }
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeMessageEnd();
}

/** Writes an EXCEPTION message: TApplicationException {1: message, 2: type}. */
export function writeApplicationException(w: ProtocolWriter, name: string, seqid: number, error: TApplicationException): void {
  w.writeMessageBegin(name, MessageType.EXCEPTION, seqid);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(error.message);
  w.writeFieldEnd();
  w.writeFieldBegin(TType.I32, 2);
  w.writeI32(error.type);
  w.writeFieldEnd();
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeMessageEnd();
}

/** Reads the body of an EXCEPTION message. */
export function readApplicationException(r: ProtocolReader): TApplicationException {
  let message = '';
  let type = 0;
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    if (r.fieldId === 1 && t === TType.STRING) message = r.readString();
    else if (r.fieldId === 2 && t === TType.I32) type = r.readI32();
    else r.skip(t);
    r.readFieldEnd();
  }
  r.readStructEnd();
  return new TApplicationException(type, message);
}

export type Answer =
  | Outcome
  | { readonly kind: 'applicationError'; readonly error: TApplicationException };

/**
 * Reads an answer's body (after its header) for fn: the return value, a declared exception, or
 * the TApplicationException of an EXCEPTION message. A reply with no field set on a non-void
 * method is MISSING_RESULT, as in every reference client.
 */
export function readAnswerBody(r: ProtocolReader, header: MessageHeader, fn: FunctionDef): Answer {
  if (header.type === MessageType.EXCEPTION) {
    const error = readApplicationException(r);
    r.readMessageEnd();
    return { kind: 'applicationError', error };
  }
  if (header.type !== MessageType.REPLY) throw new ProtocolError(`message type ${header.type} where a REPLY or EXCEPTION was expected`);
  const result = readStruct(r, fn.result);
  r.readMessageEnd();
  for (const [type, field] of fn.throwsByType) {
    const value = result[field.name];
    if (value !== undefined) return { kind: 'exception', type, value: value as Record<string, unknown> };
  }
  if (!fn.returns) return { kind: 'response', value: undefined };
  if (result['success'] === undefined) {
    return { kind: 'applicationError', error: new TApplicationException(5, `${fn.name} failed: the reply holds no result`) };
  }
  return { kind: 'response', value: result['success'] };
}

/** Reads the argument struct of a call (after its header). */
export function readArguments(r: ProtocolReader, fn: FunctionDef): Record<string, unknown> {
  const args = readStruct(r, fn.args);
  r.readMessageEnd();
  return args;
}

/** Skips the body of a message (an unknown method's arguments). */
export function skipBody(r: ProtocolReader): void {
  r.skip(TType.STRUCT);
  r.readMessageEnd();
}
