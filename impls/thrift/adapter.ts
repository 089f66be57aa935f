// The project's Thrift implementation behind the suite's implementation contract
// (harness/contract/thrift.ts). Our values are the contract's canonical values; what changes shape
// here are errors (classes here, plain shapes there) and the schema-evolution marker.
import type { ThriftHandlers, ThriftImplementation, ThriftServerHandle } from '../../harness/contract/thrift.ts';
import { isWrittenAs } from '../../harness/contract/thrift.ts';
import type { ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import capabilities from './capabilities.json' with { type: 'json' };
import { connect, DeclaredException, loadIdl, serve, TApplicationException, WrittenAs, type Handlers, type Idl } from './index.ts';

const idls = new Map<string, Idl>();
function idlAt(path: string): Idl {
  let idl = idls.get(path);
  if (!idl) {
    idl = loadIdl(path);
    idls.set(path, idl);
  }
  return idl;
}

/** The contract's {writtenAs, value} marker becomes ours, anywhere in a value. */
function ours(value: unknown): unknown {
  if (isWrittenAs(value)) return new WrittenAs(value.writtenAs, ours(value.value) as Record<string, unknown>);
  if (Array.isArray(value)) return value.map(ours);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [ours(k), ours(v)]));
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ours(v)]));
  }
  return value;
}

function contractError(error: unknown): unknown {
  if (error instanceof DeclaredException) return Object.assign(error, { thrift: { kind: 'declared', type: error.type, value: error.value } });
  if (error instanceof TApplicationException) return Object.assign(error, { thrift: { kind: 'application', type: error.type, message: error.message } });
  return error;
}

/** The suite's handlers throw the contract's shapes; ours take our exception classes. */
function ourHandlers(handlers: ThriftHandlers, services: readonly string[]): Handlers {
  return Object.fromEntries(services.map((service) => [service, Object.fromEntries(Object.entries(handlers[service] ?? {}).map(([method, handler]) => [
    method,
    async (args: Record<string, unknown>) => {
      try {
        return ours(await handler(args));
      } catch (error) {
        const carried = (error as { thrift?: { kind: string; type: string | number; value?: Record<string, unknown>; message?: string } }).thrift;
        if (carried?.kind === 'declared') throw new DeclaredException(String(carried.type), carried.value ?? {});
        if (carried?.kind === 'application') throw new TApplicationException(Number(carried.type), carried.message ?? '');
        throw error;
      }
    },
  ]))]));
}

const adapter: ThriftImplementation = {
  capabilities: capabilities as ImplementationCapabilities,

  async connect(endpoint, options) {
    const client = await connect(endpoint, idlAt(endpoint.idl.path), {
      timeoutMs: options.timeoutMs,
      ...(options.recorder ? { recorder: options.recorder } : {}),
      ...(options.writeProtocol ? { writeProtocol: options.writeProtocol } : {}),
    });
    return {
      call: async (service, method, args) => {
        try {
          return await client.call(service, method, ours(args) as Record<string, unknown>);
        } catch (error) {
          throw contractError(error);
        }
      },
      close: () => client.close(),
    };
  },

  async serve(endpoint, handlers, options): Promise<ThriftServerHandle> {
    const server = await serve(endpoint, idlAt(endpoint.idl.path), ourHandlers(handlers, endpoint.services), {
      ...(options.recorders ? { recorders: options.recorders } : {}),
      ...(endpoint.defaultService ? { defaultService: endpoint.defaultService } : endpoint.services.length === 1 ? { defaultService: endpoint.services[0] } : {}),
      ...(options.log ? { log: options.log, onReject: options.log } : {}),
    });
    return { port: server.port, close: () => server.close() };
  },
};

export default adapter;
