// The server's dispatch of one request message: find the service and method (multiplexed names,
// default service), read the arguments, call the handler, and write what Java's and Python's
// processors write: the result struct, a declared exception in its field, a TApplicationException
// (the handler's own, INTERNAL_ERROR for an undeclared error, UNKNOWN_METHOD after skipping the
// arguments, PROTOCOL_ERROR for arguments that cannot be read), or nothing for one-way calls.
import { readArguments, skipBody, writeApplicationException, writeReply } from './codec/messages.ts';
import { ApplicationErrorType, DeclaredException, describe, ProtocolError, SizeError, TApplicationException } from './errors.ts';
import type { FunctionDef, Idl, ServiceDef } from './idl/model.ts';
import type { Limits } from './limits.ts';
import { newReader, newWriter, type ProtocolName } from './protocol/index.ts';
import type { OutputBuffer } from './protocol/output.ts';
import type { MessageHeader, ProtocolReader } from './protocol/protocol.ts';
import { MessageType } from './protocol/wire.ts';

export interface CallContext {
  readonly service: string;
  readonly method: string;
  readonly seqid: number;
  /** Who called ("127.0.0.1:50412"). */
  readonly peer: string;
  /** THeader info headers of the request (empty for other transports). */
  readonly headers: ReadonlyMap<string, string>;
}

/** A method's implementation: takes the arguments by parameter name; returns the answer (or a promise of it). */
export type Handler = (args: Record<string, unknown>, context: CallContext) => unknown;

/** Service name -> method name -> handler. */
export type Handlers = Readonly<Record<string, Readonly<Record<string, Handler>>>>;

export interface ProcessorOptions {
  /** Names are "Service:method". */
  readonly multiplexed: boolean;
  /** Plain names go to this service (non-multiplexed servers: the one service served). */
  readonly defaultService: string | undefined;
  readonly limits: Limits;
  /** Binary: refuse the old non-strict message header. */
  readonly strictRead?: boolean;
  /** Handler failures: undeclared errors, one-way errors, answers that cannot be written. */
  readonly log: (line: string) => void;
}

export interface Processed {
  /** The answer message (undefined for one-way calls). */
  readonly reply: OutputBuffer | undefined;
  readonly seqid: number;
  /** The request broke a size limit or was cut short: answer, then close the connection. */
  readonly closeAfter: boolean;
}

const NO_HEADERS: ReadonlyMap<string, string> = new Map();

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export class Processor {
  private readonly idl: Idl;
  private readonly handlers: Handlers;
  private readonly options: ProcessorOptions;
  /** Made once, not per request. */
  private readonly readerOptions: { readonly strictRead: boolean };

  constructor(idl: Idl, handlers: Handlers, options: ProcessorOptions) {
    for (const service of Object.keys(handlers)) idl.service(service);
    if (options.defaultService !== undefined && !Object.hasOwn(handlers, options.defaultService)) {
      throw new Error(`the default service ${options.defaultService} has no handlers`);
    }
    this.idl = idl;
    this.handlers = handlers;
    this.options = options;
    this.readerOptions = { strictRead: options.strictRead ?? false };
  }

  /**
   * Handles one request. Throws ProtocolError when even its header cannot be read (the connection
   * should be closed: nothing can be answered). The answer comes back at once when the handler is
   * synchronous (returns no promise); a promise of it only when the handler's answer is one, so a
   * server's synchronous calls cost no trips through the microtask queue.
   */
  process(message: Buffer, read: ProtocolName, write: ProtocolName, peer: string, headers: ReadonlyMap<string, string> = NO_HEADERS): Processed | Promise<Processed> {
    const reader = newReader(read, message, this.options.limits, this.readerOptions);
    const header = reader.readMessageBegin();

    if (header.type !== MessageType.CALL && header.type !== MessageType.ONEWAY) {
      this.skipQuietly(reader);
      return this.applicationError(write, header, ApplicationErrorType.INVALID_MESSAGE_TYPE, `message type ${header.type} where a CALL or ONEWAY was expected`, false);
    }
    const target = this.resolve(header.name);
    if (typeof target === 'string') {
      const closeAfter = this.skipQuietly(reader);
      return this.applicationError(write, header, ApplicationErrorType.UNKNOWN_METHOD, target, closeAfter);
    }
    const { service, fn, method } = target;
    let args: Record<string, unknown>;
    try {
      args = readArguments(reader, fn);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return this.applicationError(write, header, ApplicationErrorType.PROTOCOL_ERROR, `cannot read the arguments of ${method}: ${error.message}`, error instanceof SizeError);
    }
    if (reader.remaining > 0) {
      return this.applicationError(write, header, ApplicationErrorType.PROTOCOL_ERROR, `${reader.remaining} bytes follow the message of ${method} in its frame or body`, false);
    }
    const handler = this.handlers[service.name]?.[method];
    if (typeof handler !== 'function') {
      return fn.oneway ? this.nothing(header) : this.applicationError(write, header, ApplicationErrorType.UNKNOWN_METHOD, `${service.name}.${method} is not implemented by this server`, false);
    }
    const context: CallContext = { service: service.name, method, seqid: header.seqid, peer, headers };
    let value: unknown;
    try {
      value = handler(args, context);
    } catch (error) {
      return this.settled(write, header, service.name, fn, method, { kind: 'error', error }, peer);
    }
    if (!isThenable(value)) return this.settled(write, header, service.name, fn, method, { kind: 'response', value }, peer);
    return Promise.resolve(value).then(
      (answer) => this.settled(write, header, service.name, fn, method, { kind: 'response', value: answer }, peer),
      (error: unknown) => this.settled(write, header, service.name, fn, method, { kind: 'error', error }, peer),
    );
  }

  /** The handler has answered (or failed): what goes back, if anything. */
  private settled(write: ProtocolName, header: MessageHeader, serviceName: string, fn: FunctionDef, method: string,
    outcome: { kind: 'response'; value: unknown } | { kind: 'error'; error: unknown }, peer: string): Processed {
    if (fn.oneway) {
      if (outcome.kind === 'error') this.options.log(`one-way ${serviceName}.${method} from ${peer} failed (nothing is answered): ${describe(outcome.error)}`);
      return this.nothing(header);
    }
    return this.answer(write, header, fn, method, outcome, peer);
  }

  private answer(write: ProtocolName, header: MessageHeader, fn: FunctionDef, method: string,
    outcome: { kind: 'response'; value: unknown } | { kind: 'error'; error: unknown }, peer: string): Processed {
    if (outcome.kind === 'error') {
      const error = outcome.error;
      if (error instanceof TApplicationException) {
        return this.applicationError(write, header, error.type, error.message, false);
      }
      if (!(error instanceof DeclaredException) || !fn.throwsByType.has(error.type)) {
        this.options.log(`${fn.service}.${method} from ${peer} raised an error the IDL does not declare (answered INTERNAL_ERROR): ${describe(error)}`);
        return this.applicationError(write, header, ApplicationErrorType.INTERNAL_ERROR, `Internal error processing ${method}`, false);
      }
    }
    const writer = newWriter(write);
    try {
      // A response outcome has the shape writeReply takes: passed as it is.
      writeReply(this.idl, writer, fn, method, header.seqid, outcome.kind === 'response'
        ? outcome
        : { kind: 'exception', type: (outcome.error as DeclaredException).type, value: (outcome.error as DeclaredException).value });
    } catch (error) {
      this.options.log(`${fn.service}.${method} from ${peer}: the handler's answer cannot be written (answered INTERNAL_ERROR): ${describe(error)}`);
      return this.applicationError(write, header, ApplicationErrorType.INTERNAL_ERROR, `Internal error processing ${method}: the answer cannot be written`, false);
    }
    return { reply: writer.output, seqid: header.seqid, closeAfter: false };
  }

  private nothing(header: MessageHeader): Processed {
    return { reply: undefined, seqid: header.seqid, closeAfter: false };
  }

  private applicationError(write: ProtocolName, header: MessageHeader, type: number, text: string, closeAfter: boolean): Processed {
    const writer = newWriter(write);
    writeApplicationException(writer, this.plainName(header.name), header.seqid, new TApplicationException(type, text));
    return { reply: writer.output, seqid: header.seqid, closeAfter };
  }

  /** Skips an unread body; returns true when the message turned out to be cut short or oversized. */
  private skipQuietly(reader: ProtocolReader): boolean {
    try {
      skipBody(reader);
      return false;
    } catch (error) {
      if (error instanceof SizeError) return true;
      if (error instanceof ProtocolError) return false;
      throw error;
    }
  }

  private plainName(name: string): string {
    if (!this.options.multiplexed) return name;
    const colon = name.indexOf(':');
    return colon < 0 ? name : name.slice(colon + 1);
  }

  /** The service and function a message name calls, or why there is none. */
  private resolve(name: string): { service: ServiceDef; fn: FunctionDef; method: string } | string {
    let serviceName = this.options.defaultService;
    let method = name;
    if (this.options.multiplexed) {
      const colon = name.indexOf(':');
      if (colon >= 0) {
        serviceName = name.slice(0, colon);
        method = name.slice(colon + 1);
        if (!Object.hasOwn(this.handlers, serviceName)) return `Unknown service '${serviceName}' in '${name}' (served: ${Object.keys(this.handlers).join(', ')})`;
      } else if (serviceName === undefined) {
        return `'${name}' names no service ("Service:method") and this multiplexed server has no default service`;
      }
    }
    if (serviceName === undefined) return `Invalid method name: '${name}'`;
    const service = this.idl.service(serviceName);
    const fn = service.functions.get(method);
    if (!fn) return `Invalid method name: '${method}'`;
    return { service, fn, method };
  }
}
