// The catalogue schema set: every value type of the Avro RPC conformance protocol
// (suites/avro/data/protocols/conformance.avpr), one data file per echo message, holding the
// values of every echo case of that message (suites/avro/data/cases.json). Named types are
// inlined at their first use, so each schema stands alone as a data file's schema must.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Json, SchemaFile } from './sets.ts';

const AVRO_DATA = join(REPO_ROOT, 'suites', 'avro', 'data');
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

interface Protocol {
  namespace: string;
  types: { name: string; type: string }[];
  messages: Record<string, { request: { name: string; type: Json }[] }>;
}
interface EchoCase { id: string; kind: string; message?: string; request?: Record<string, Json>; protocol: string; clientProtocol?: string }

function fullName(name: string, namespace: string): string {
  return name.includes('.') ? name : `${namespace}.${name}`;
}

/** The message's value type with every named type defined inline at its first use. */
export function standaloneSchema(type: Json, protocol: Protocol): Json {
  const definitions = new Map(protocol.types.map((t) => [fullName(t.name, protocol.namespace), t as unknown as Json]));
  const defined = new Set<string>();
  const walk = (node: Json, namespace: string): Json => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return node;
      const name = fullName(node, namespace);
      if (defined.has(name)) return name;
      const definition = definitions.get(name);
      if (!definition) throw new Error(`conformance.avpr: unknown type ${node}`);
      return walk(definition, namespace);
    }
    if (Array.isArray(node)) return node.map((branch) => walk(branch, namespace));
    if (node === null || typeof node !== 'object') return node;
    const kind = node['type'];
    if ((kind === 'record' || kind === 'enum' || kind === 'fixed') && typeof node['name'] === 'string') {
      const ns = typeof node['namespace'] === 'string' ? node['namespace'] : namespace;
      const name = fullName(node['name'], ns);
      defined.add(name);
      const out: Record<string, Json> = { ...node, name: name.slice(name.lastIndexOf('.') + 1), namespace: name.slice(0, name.lastIndexOf('.')) };
      if (kind === 'record') {
        const innerNs = out['namespace'] as string;
        out['fields'] = (node['fields'] as Record<string, Json>[]).map((field) => ({ ...field, type: walk(field['type'] as Json, innerNs) }));
      }
      return out;
    }
    if (kind === 'array') return { ...node, items: walk(node['items'] as Json, namespace) };
    if (kind === 'map') return { ...node, values: walk(node['values'] as Json, namespace) };
    return node; // a primitive with attributes (logical types)
  };
  return walk(type, protocol.namespace);
}

export function catalogueFiles(): SchemaFile[] {
  const protocol = JSON.parse(readFileSync(join(AVRO_DATA, 'protocols', 'conformance.avpr'), 'utf8')) as Protocol;
  const cases = (JSON.parse(readFileSync(join(AVRO_DATA, 'cases.json'), 'utf8')) as { cases: EchoCase[] }).cases;
  const files: SchemaFile[] = [];
  for (const [message, spec] of Object.entries(protocol.messages)) {
    if (!message.startsWith('echo') || spec.request.length !== 1 || spec.request[0]?.name !== 'value') continue;
    const records = cases
      // A case with a clientProtocol spells its values in that copy's names (org.example.copy.Point):
      // they belong to the copy's schema, not to conformance.avpr's.
      .filter((c) => c.protocol === 'conformance' && c.clientProtocol === undefined && c.kind === 'call' && c.message === message && c.request)
      .map((c) => c.request?.['value'] as Json);
    if (records.length === 0) continue;
    const schema = standaloneSchema(spec.request[0].type, protocol);
    files.push({ set: 'catalogue', id: message, schema, records, reads: [{ id: message, expected: records }] });
  }
  return files;
}
