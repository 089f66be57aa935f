// Thrift in the hostile family: the conformance IDL, the byte notation's valid calls in the cell's
// protocol, and the valid call a well-behaved client makes right after an attack, with our own
// client from the test process.
import { connect, encodeRequest, loadIdl, type Idl } from '../../../impls/thrift/index.ts';
import { IDL_PATH } from '../../thrift/catalogue.ts';
import type { BytesContext } from '../bytes.ts';
import type { Served } from '../avro/rpc.ts';
import type { ThriftTransport } from './wire.ts';

let idl: Idl | undefined;

export function conformanceIdl(): Idl {
  idl ??= loadIdl(IDL_PATH);
  return idl;
}

/** Thrift values the notation's JSON cannot say: {"$bigint": "5"} for i64, {"$hex": "00ff"} for binary. */
export function reviveThrift(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveThrift);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (typeof record['$bigint'] === 'string') return BigInt(record['$bigint']);
  if (typeof record['$hex'] === 'string') return Buffer.from(record['$hex'], 'hex');
  const bytes = record['$bytes'] as { size: number; fill: number } | undefined;
  if (bytes) return Buffer.alloc(bytes.size, bytes.fill);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, reviveThrift(v)]));
}

/** The notation's names for a Thrift cell: its protocol, and valid calls encoded in it. */
export function thriftBytesContext(protocol: string): BytesContext {
  const none = Buffer.alloc(16);
  return {
    hashes: { ours: none, victim: none }, texts: { ours: '', victim: '' }, protocol,
    encodeCall: (spec) => encodeRequest(conformanceIdl(), protocol, { method: spec.method, args: reviveThrift(spec.args ?? {}) as Record<string, unknown>, seqid: spec.seqid ?? 1 }),
  };
}

/** One call of echoString from a new client; ok when the value comes back within timeoutMs. */
export async function thriftValidCall(transport: ThriftTransport, protocol: string, port: number, timeoutMs = 3_000): Promise<Served> {
  const started = performance.now();
  const value = 'still serving';
  try {
    const client = await connect({ transport, protocol, host: '127.0.0.1', port }, conformanceIdl(), { timeoutMs });
    try {
      const answer = await client.call('Conformance', 'echoString', { value });
      return { ok: answer === value, ms: performance.now() - started, detail: `echoString answered ${JSON.stringify(answer)}` };
    } finally {
      await client.close();
    }
  } catch (error) {
    return { ok: false, ms: performance.now() - started, detail: `echoString failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }
}
