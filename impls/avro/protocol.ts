// An Avro protocol (.avpr): its named types, its messages, and its MD5 hash.
//
// Each message's request is a record of its parameters; its errors are the union
// ["string", declared errors...] (the string branch carries system errors).
// The protocol's name follows the naming rules of named schemas: "protocol": "a.b.P" is the
// protocol P in namespace a.b (a dotted name wins over a "namespace" attribute, as in Java).
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
  /** The protocol's simple name (P for "a.b.P"). */
  readonly name: string;
  readonly namespace: string | undefined;
  /** namespace.name, or the name alone. */
  readonly fullName: string;
  /** The protocol JSON we send in handshakes and hash. */
  readonly text: string;
  readonly hash: Buffer;
  readonly messages: ReadonlyMap<string, MessageDefinition>;
  /** Named types by full name. */
  readonly types: ReadonlyMap<string, AvroType>;
}

interface ProtocolJson {
  protocol: string;
  namespace?: string | null;
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

/** The protocol's name and namespace, by the rules for named schemas. */
export function protocolName(protocol: string, namespace: string | undefined): { name: string; namespace: string | undefined } {
  const dot = protocol.lastIndexOf('.');
  if (dot < 0) return { name: protocol, namespace: namespace === '' ? undefined : namespace };
  const qualifier = protocol.slice(0, dot);
  return { name: protocol.slice(dot + 1), namespace: qualifier === '' ? undefined : qualifier };
}

/**
 * Parses a protocol from its JSON text (or the parsed JSON). Errors are ProtocolErrors that say
 * what is wrong: "protocol text is not JSON: ...", "protocol P: message m: ...".
 */
export function parseProtocol(source: string | object): Protocol {
  let parsed: unknown;
  if (typeof source === 'string') {
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      const start = source.slice(0, 40).replace(/\s+/g, ' ');
      throw new ProtocolError(`protocol text is not JSON: ${(error as Error).message} (text of ${source.length} characters starting "${start}")`);
    }
  } else {
    parsed = source;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ProtocolError(`protocol is not a JSON object: ${JSON.stringify(parsed)?.slice(0, 40)}`);
  // A copy: the caller's object (or its parse) is not ours to change.
  const json = { ...(parsed as ProtocolJson) };
  if (typeof json.protocol !== 'string' || json.protocol === '') throw new ProtocolError('protocol has no name (its "protocol" attribute)');
  // "namespace": null is no namespace: Java 1.10's Protocol.toString writes it for a protocol
  // without one, and Java and Python read it so.
  if (json.namespace === null) delete json.namespace;
  if (json.namespace !== undefined && typeof json.namespace !== 'string') throw new ProtocolError(`protocol ${json.protocol}: "namespace" is not a string`);
  if (json.types !== undefined && !Array.isArray(json.types)) throw new ProtocolError(`protocol ${json.protocol}: "types" is not an array`);
  if (json.messages !== undefined && (json.messages === null || typeof json.messages !== 'object' || Array.isArray(json.messages))) {
    throw new ProtocolError(`protocol ${json.protocol}: "messages" is not an object`);
  }
  const { name: simpleName, namespace } = protocolName(json.protocol, json.namespace);
  const registry = newRegistry();
  const types = new Map<string, AvroType>();
  for (const schema of json.types ?? []) {
    // Avro's "error" is a record that may be raised; avsc knows it as a record of type "error".
    const type = named(json.protocol, () => parseType(schema, { namespace, registry }), `type ${describeSchema(schema)}`);
    if (type.name) types.set(type.name, type);
  }
  const messages = new Map<string, MessageDefinition>();
  for (const [name, message] of Object.entries(json.messages ?? {})) {
    if (message === null || typeof message !== 'object' || !Array.isArray(message.request)) {
      throw new ProtocolError(`protocol ${json.protocol}: message ${name} has no "request" list`);
    }
    if (message.errors !== undefined && (!Array.isArray(message.errors) || message.errors.some((e) => typeof e !== 'string'))) {
      throw new ProtocolError(`protocol ${json.protocol}: message ${name}: "errors" is not a list of type names`);
    }
    const oneWay = message['one-way'] === true;
    const declaredErrors = (message.errors ?? []).map((error) => qualify(error, namespace));
    if (oneWay && (message.response !== 'null' || declaredErrors.length > 0)) {
      throw new ProtocolError(`one-way message ${name} must have response "null" and no errors`);
    }
    const where = `message ${name}`;
    messages.set(name, {
      name,
      oneWay,
      declaredErrors,
      // Parameters are an anonymous record in Avro; avsc needs a name, so one nobody can
      // declare. Its name plays no part in resolution (messages match by their own names,
      // parameters by theirs): see resolve.ts.
      request: named(json.protocol, () => parseType({ type: 'record', name: `${name}__Request`, fields: message.request }, { namespace, registry }), `${where}: request`),
      response: named(json.protocol, () => parseType(message.response, { namespace, registry }), `${where}: response`),
      errors: named(json.protocol, () => parseType(['string', ...declaredErrors], { namespace, registry }), `${where}: errors`),
    });
  }
  const text = JSON.stringify(canonicalJson(json));
  return {
    name: simpleName, namespace, fullName: namespace ? `${namespace}.${simpleName}` : simpleName,
    text, hash: md5(text), messages, types,
  };
}

/** Runs a schema parse, naming the protocol and the part when avsc rejects it. */
function named<T>(protocol: string, parse: () => T, part: string): T {
  try {
    return parse();
  } catch (error) {
    throw new ProtocolError(`protocol ${protocol}: ${part}: ${(error as Error).message}`);
  }
}

function describeSchema(schema: unknown): string {
  const name = (schema as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : JSON.stringify(schema)?.slice(0, 40) ?? String(schema);
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
