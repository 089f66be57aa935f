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

/** Whether a value holds the contract's {writtenAs, value} marker anywhere (looked for without allocating). */
function hasMarker(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (isWrittenAs(value)) return true;
  if (Array.isArray(value)) return value.some(hasMarker);
  if (value instanceof Map) {
    for (const [k, v] of value) if (hasMarker(k) || hasMarker(v)) return true;
    return false;
  }
  for (const key in value) if (Object.hasOwn(value, key) && hasMarker((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * The contract's {writtenAs, value} marker becomes ours, anywhere in a value. A value without one
 * (nearly all) is passed on as it is: copying every argument object per call cost CPU for nothing.
 * Exported for our codec's tests, which write the catalogue's values (read by the suite's
 * notation) without a client: one conversion, not a second one in the tests.
 */
export function ours(value: unknown): unknown {
  return hasMarker(value) ? converted(value) : value;
}

function converted(value: unknown): unknown {
  if (isWrittenAs(value)) return new WrittenAs(value.writtenAs, converted(value.value) as Record<string, unknown>);
  if (Array.isArray(value)) return value.map(converted);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [converted(k), converted(v)]));
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, converted(v)]));
  }
  return value;
}

function contractError(error: unknown): unknown {
  if (error instanceof DeclaredException) return Object.assign(error, { thrift: { kind: 'declared', type: error.type, value: error.value } });
  if (error instanceof TApplicationException) return Object.assign(error, { thrift: { kind: 'application', type: error.type, message: error.message } });
  return error;
}

function rethrowContractError(error: unknown): never {
  throw contractError(error);
}

/** A contract error carried by what a suite handler threw becomes ours; anything else as it is. */
function ourError(error: unknown): unknown {
  const carried = (error as { thrift?: { kind: string; type: string | number; value?: Record<string, unknown>; message?: string } } | null)?.thrift;
  if (carried?.kind === 'declared') return new DeclaredException(String(carried.type), carried.value ?? {});
  if (carried?.kind === 'application') return new TApplicationException(Number(carried.type), carried.message ?? '');
  return error;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The suite's handlers throw the contract's shapes; ours take our exception classes. A handler
 * that answers synchronously stays synchronous (an async wrapper cost every call a promise and
 * trips through the microtask queue in the server).
 * Exported for our tests that serve the suite's semantics (suites/thrift/semantics.ts) with our own
 * serve() and the options the contract does not carry (limits, reject logs).
 */
export function ourHandlers(handlers: ThriftHandlers, services: readonly string[]): Handlers {
  return Object.fromEntries(services.map((service) => [service, Object.fromEntries(Object.entries(handlers[service] ?? {}).map(([method, handler]) => [
    method,
    (args: Record<string, unknown>): unknown => {
      let answer: unknown;
      try {
        answer = handler(args);
      } catch (error) {
        throw ourError(error);
      }
      if (!isThenable(answer)) return ours(answer);
      return Promise.resolve(answer).then(ours, (error: unknown) => {
        throw ourError(error);
      });
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
      // One reaction for the errors, not an async wrapper around the call (a promise and microtask trips per call).
      call: (service, method, args) => {
        let answer: Promise<unknown>;
        try {
          answer = client.call(service, method, ours(args) as Record<string, unknown>);
        } catch (error) {
          return Promise.reject(contractError(error));
        }
        return answer.catch(rethrowContractError);
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
