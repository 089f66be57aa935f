// The protocol's schemas as JSON, with named types resolved by full name, so that values can be
// converted position by position (values.ts). Read from the same .avpr text avro-js parses.

export type Schema = string | Schema[] | SchemaObject;

export interface SchemaObject {
  readonly type: Schema;
  readonly name?: string;
  readonly namespace?: string;
  readonly fields?: readonly { readonly name: string; readonly type: Schema }[];
  readonly items?: Schema;
  readonly values?: Schema;
  readonly symbols?: readonly string[];
  readonly size?: number;
  readonly logicalType?: string;
  readonly scale?: number;
}

/** A schema together with the namespace its relative names are read in. */
export interface Located {
  readonly schema: Schema;
  readonly namespace: string;
}

export interface MessageSchemas {
  readonly request: readonly { readonly name: string; readonly type: Schema }[];
  readonly response: Schema;
  /** The error union as avro-js builds it: "string" first, then the declared errors. */
  readonly errors: readonly Schema[];
  readonly oneWay: boolean;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(0, dot);
}

export class ProtocolSchemas {
  readonly namespace: string;
  readonly messages: ReadonlyMap<string, MessageSchemas>;
  private readonly named = new Map<string, Located>();

  constructor(text: string) {
    const json = JSON.parse(text) as {
      protocol: string; namespace?: string; types?: Schema[];
      messages?: Record<string, { request: { name: string; type: Schema }[]; response: Schema; errors?: Schema[]; 'one-way'?: boolean }>;
    };
    this.namespace = json.namespace ?? namespaceOf(json.protocol);
    for (const type of json.types ?? []) this.register(type, this.namespace);
    const messages = new Map<string, MessageSchemas>();
    for (const [name, message] of Object.entries(json.messages ?? {})) {
      for (const parameter of message.request) this.register(parameter.type, this.namespace);
      this.register(message.response, this.namespace);
      for (const error of message.errors ?? []) this.register(error, this.namespace);
      messages.set(name, {
        request: message.request, response: message.response,
        errors: ['string', ...(message.errors ?? [])], oneWay: message['one-way'] === true,
      });
    }
    this.messages = messages;
  }

  message(name: string): MessageSchemas {
    const message = this.messages.get(name);
    if (!message) throw new Error(`the protocol has no message ${name}`);
    return message;
  }

  /** Follows a name reference to its definition; anything else comes back as it is. */
  resolve(located: Located): Located {
    const { schema, namespace } = located;
    if (typeof schema !== 'string' || PRIMITIVES.has(schema)) return located;
    const found = this.named.get(fullName(schema, namespace)) ?? this.named.get(schema);
    if (!found) throw new Error(`undefined type name ${schema}`);
    return found;
  }

  /** The key of a union branch (Avro's JSON encoding, and avro-js's wrapped unions): full name or type name. */
  branchName(located: Located): string {
    const { schema, namespace } = this.resolve(located);
    if (typeof schema === 'string') return schema;
    if (Array.isArray(schema)) throw new Error('unions cannot be directly nested');
    if (typeof schema.type === 'string' && NAMED.has(schema.type) && schema.name) return fullName(schema.name, schema.namespace ?? namespace);
    return typeof schema.type === 'string' ? schema.type : this.branchName({ schema: schema.type, namespace });
  }

  private register(schema: Schema, namespace: string): void {
    if (typeof schema === 'string') return;
    if (Array.isArray(schema)) {
      for (const branch of schema) this.register(branch, namespace);
      return;
    }
    let inner = namespace;
    if (typeof schema.type === 'string' && NAMED.has(schema.type) && schema.name) {
      const name = fullName(schema.name, schema.namespace ?? namespace);
      inner = namespaceOf(name);
      this.named.set(name, { schema, namespace: inner });
    }
    for (const field of schema.fields ?? []) this.register(field.type, inner);
    if (schema.items !== undefined) this.register(schema.items, inner);
    if (schema.values !== undefined) this.register(schema.values, inner);
    if (typeof schema.type !== 'string') this.register(schema.type, inner);
  }
}
