// An Avro protocol (.avpr): its named types, its messages, and its MD5 hash.
//
// Each message's request is a record of its parameters; its errors are the union
// ["string", declared errors...] (the string branch carries system errors).
// The hash is the MD5 of our own JSON rendering of the protocol. Implementations hash their own
// renderings, so hashes differ between languages even for the same protocol (field note 3) and
// the first call between two implementations always negotiates (match NONE, then resend).
import { createHash } from 'node:crypto';
import type { AvroType } from './types.ts';
import { newRegistry, parseType } from './types.ts';

export interface MessageDefinition {
  readonly name: string;
  readonly request: AvroType;
  readonly response: AvroType;
  /** Union type ["string", ...declared errors]. */
  readonly errors: AvroType;
  readonly oneWay: boolean;
  /** Names of the declared error types, in union order after "string". */
  readonly declaredErrors: readonly string[];
}

export interface Protocol {
  readonly name: string;
  readonly namespace: string | undefined;
  /** The protocol JSON we send in handshakes and hash. */
  readonly text: string;
  readonly hash: Buffer;
  readonly messages: ReadonlyMap<string, MessageDefinition>;
  /** Named types by full name. */
  readonly types: ReadonlyMap<string, AvroType>;
}

interface ProtocolJson {
  protocol: string;
  namespace?: string;
  doc?: string;
  types?: unknown[];
  messages?: Record<string, MessageJson>;
}

interface MessageJson {
  doc?: string;
  request: { name: string; type: unknown; default?: unknown }[];
  response: unknown;
  errors?: string[];
  'one-way'?: boolean;
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function md5(text: string): Buffer {
  return createHash('md5').update(text, 'utf8').digest();
}

export function parseProtocol(source: string | object): Protocol {
  const json = (typeof source === 'string' ? JSON.parse(source) : source) as ProtocolJson;
  if (typeof json.protocol !== 'string' || json.protocol === '') throw new ProtocolError('protocol has no name');
  // A qualified protocol name carries the namespace when there is no "namespace" key, as for named
  // schemas (Java does the same; avro-js sends its protocols that way in handshakes).
  const namespace = json.namespace ?? namespaceOf(json.protocol);
  const registry = newRegistry();
  const types = new Map<string, AvroType>();
  for (const schema of json.types ?? []) {
    // Avro's "error" is a record that may be raised; avsc knows it as a record of type "error".
    const type = parseType(schema, { namespace, registry });
    if (type.name) types.set(type.name, type);
  }
  const messages = new Map<string, MessageDefinition>();
  for (const [name, message] of Object.entries(json.messages ?? {})) {
    const oneWay = message['one-way'] === true;
    const declaredErrors = (message.errors ?? []).map((error) => qualify(error, namespace));
    if (oneWay && (message.response !== 'null' || declaredErrors.length > 0)) {
      throw new ProtocolError(`one-way message ${name} must have response "null" and no errors`);
    }
    messages.set(name, {
      name,
      oneWay,
      declaredErrors,
      // Parameters are an unnamed record in Avro; avsc needs a name, so one nobody can declare.
      request: parseType({ type: 'record', name: `${name}__Request`, fields: message.request }, { namespace, registry }),
      response: parseType(message.response, { namespace, registry }),
      errors: parseType(['string', ...declaredErrors], { namespace, registry }),
    });
  }
  const text = JSON.stringify(canonicalJson(json));
  return { name: json.protocol, namespace, text, hash: md5(text), messages, types };
}

function namespaceOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : undefined;
}

function qualify(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** The protocol as we render it for hashing and handshakes: no docs, stable key order. */
function canonicalJson(json: ProtocolJson): object {
  const messages: Record<string, object> = {};
  for (const [name, message] of Object.entries(json.messages ?? {})) {
    messages[name] = {
      request: message.request,
      response: message.response,
      ...(message.errors ? { errors: message.errors } : {}),
      ...(message['one-way'] ? { 'one-way': true } : {}),
    };
  }
  return { protocol: json.protocol, ...(json.namespace ? { namespace: json.namespace } : {}), types: json.types ?? [], messages };
}
