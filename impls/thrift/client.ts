// Our Thrift client: calls by service and method name with the value model's arguments, over any
// transport and socket of the axes. Socket transports keep one connection and may have several
// calls in flight (answers are matched by sequence id); HTTP posts one call at a time, in order.
import { framingOf, protocolPlan, transportName, type ProtocolPlan, type TransportName } from './axis.ts';
import { readAnswerBody, writeCall, type Answer } from './codec/messages.ts';
import {
  ApplicationErrorType, ClientTimeout, DeclaredException, describe, ProtocolError, SizeError, TApplicationException, TransportError,
} from './errors.ts';
import { ZLIB_TRANSFORM } from './framing/theader.ts';
import { loadIdl } from './idl/load.ts';
import type { FunctionDef, Idl } from './idl/model.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { isProtocolName, newReader, newWriter, type ProtocolName } from './protocol/index.ts';
import type { OutputBuffer } from './protocol/output.ts';
import type { MessageHeader, ProtocolReader } from './protocol/protocol.ts';
import { MessageType } from './protocol/wire.ts';
import { framingFor, type Framing, type Unwrapped } from './transport/framing.ts';
import { HttpExchange } from './transport/http-client.ts';
import { PlainLink, ZlibLink, type Link } from './transport/link.ts';
import { connectSocket, describeAddress, ReusedReads } from './transport/sockets.ts';
import type { Endpoint } from './server.ts';
import type { WireRecorder } from '../wire/recorder.ts';
import { Waiting } from '../wire/waiting.ts';

export interface ConnectOptions {
  /** A call without an answer after this long fails with ClientTimeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Opening the connection (default: timeoutMs). */
  readonly connectTimeoutMs?: number;
  /** Told every byte written and read (HTTP: the bodies). */
  readonly recorder?: WireRecorder;
  /** Write requests in this protocol (binary, compact, json) instead of the endpoint's. */
  readonly writeProtocol?: string;
  readonly limits?: Partial<Limits>;
  /** THeader: info headers sent with every call. */
  readonly headers?: ReadonlyMap<string, string>;
}

export interface ThriftClient {
  /**
   * Calls service.method with its arguments by parameter name. Resolves with the answer
   * (undefined for void and one-way methods); rejects with DeclaredException,
   * TApplicationException, or a TransportError (ClientTimeout, connection closed).
   */
  call(service: string, method: string, args?: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

interface Prepared {
  readonly fn: FunctionDef;
  readonly method: string;
  readonly service: string;
  readonly seqid: number;
  /** The encoded call, finished. */
  readonly message: OutputBuffer;
}

/** What both kinds of client share: the protocol plan, sequence ids, encoding and decoding. */
abstract class ClientBase implements ThriftClient {
  protected readonly idl: Idl;
  protected readonly plan: ProtocolPlan;
  protected readonly writeProtocol: ProtocolName;
  protected readonly limits: Limits;
  protected readonly timeoutMs: number;
  private seqid = 0;

  constructor(idl: Idl, plan: ProtocolPlan, options: ConnectOptions, limits: Limits) {
    this.idl = idl;
    this.plan = plan;
    const write = options.writeProtocol ?? plan.request;
    if (!isProtocolName(write)) throw new Error(`writeProtocol must be binary, compact or json, got ${write}`);
    this.writeProtocol = write;
    this.limits = limits;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  abstract call(service: string, method: string, args?: Record<string, unknown>): Promise<unknown>;
  abstract close(): Promise<void>;

  /** Encodes a call (throws ValueError for arguments that do not fit the IDL: nothing is sent). */
  protected prepare(service: string, method: string, args: Record<string, unknown>): Prepared {
    const fn = this.idl.method(service, method);
    this.seqid = this.seqid === 0x7fffffff ? 1 : this.seqid + 1;
    const seqid = this.seqid;
    const writer = newWriter(this.writeProtocol);
    writeCall(this.idl, writer, fn, this.plan.multiplexed ? `${service}:${method}` : method, seqid, args);
    return { fn, method, service, seqid, message: writer.output };
  }

  /** Reads an answer's body for the call it answers; returns the outcome or the error to reject with. */
  protected settle(reader: ProtocolReader, header: MessageHeader, call: Prepared): { value: unknown } | { error: Error } {
    if (header.name !== call.method && header.name.slice(header.name.indexOf(':') + 1) !== call.method) {
      return { error: new TApplicationException(ApplicationErrorType.WRONG_METHOD_NAME, `the answer to ${call.method} (seqid ${call.seqid}) is named ${header.name}`) };
    }
    if (header.type !== MessageType.REPLY && header.type !== MessageType.EXCEPTION) {
      return { error: new TApplicationException(ApplicationErrorType.INVALID_MESSAGE_TYPE, `the answer to ${call.method} has message type ${header.type}`) };
    }
    let answer: Answer;
    try {
      answer = readAnswerBody(reader, header, call.fn);
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (reader.remaining > 0) return { error: new ProtocolError(`${reader.remaining} bytes follow the answer to ${call.method}`) };
    switch (answer.kind) {
      case 'response': return { value: answer.value };
      case 'exception': return { error: new DeclaredException(answer.type, answer.value) };
      case 'applicationError': return { error: answer.error };
    }
  }
}

interface InFlight {
  readonly call: Prepared;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** performance.now() by which the answer must have come. */
  readonly deadline: number;
}

class SocketClient extends ClientBase {
  private readonly link: Link;
  private readonly framing: Framing;
  private readonly transport: TransportName;
  private readonly headers: ReadonlyMap<string, string> | undefined;
  // Not a Map: a long-lived Map allocates in V8's old generation as calls come and go (waiting.ts).
  private readonly inFlight = new Waiting<InFlight>();
  /**
   * One timer per connection watches the oldest call's deadline: a timer per call cost a Timeout
   * object, often a new timer list, and a clearTimeout on every call.
   */
  private watchdog: NodeJS.Timeout | undefined;
  private sendChain: Promise<void> = Promise.resolve();
  /** Sends in the chain that have not gone out yet. */
  private asyncSends = 0;
  /** Answers in the chain that have not been taken yet. */
  private asyncReceives = 0;
  private receiveChain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly closed: Promise<void>;
  private readonly where: string;

  constructor(idl: Idl, plan: ProtocolPlan, options: ConnectOptions, limits: Limits, link: Link, transport: TransportName, where: string) {
    super(idl, plan, options, limits);
    this.link = link;
    this.transport = transport;
    this.where = where;
    this.headers = options.headers;
    this.framing = framingFor(transport, plan.response, limits);
    let closedResolve: () => void = () => undefined;
    this.closed = new Promise((resolve) => { closedResolve = resolve; });
    link.start({
      data: (chunk, borrowed) => this.received(chunk, borrowed),
      end: () => this.afterAnswers(() => this.fail(new TransportError(`${this.where} closed the connection${this.pendingText()}`))),
      closed: (error) => this.afterAnswers(() => {
        this.fail(new TransportError(error ? `connection to ${this.where} broke: ${error.message}` : `the connection to ${this.where} is closed${this.pendingText()}`));
        closedResolve();
      }),
      drain: () => undefined,
    });
  }

  /**
   * Runs `then` once the answers that arrived are taken: THeader's zlib transform inflates on the
   * thread pool, and a reply the server sent just before it closed was lost to the close.
   */
  private afterAnswers(then: () => void): void {
    if (this.asyncReceives === 0) then();
    else void this.receiveChain.then(then, then);
  }

  private pendingText(): string {
    return this.inFlight.size > 0 ? ` with ${this.inFlight.size} call(s) unanswered` : '';
  }

  // Not async: an async call() cost every call a promise of its own and microtask trips on top of
  // the answer's promise.
  call(service: string, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    let call: Prepared;
    try {
      call = this.prepare(service, method, args);
    } catch (error) {
      return Promise.reject(error);
    }
    // Nothing else in flight: the call is written at once, not gathered with the tick's others.
    const alone = this.inFlight.size === 0;
    const answered = call.fn.oneway ? undefined : this.track(call);
    const sent = this.send(call, alone);
    if (!answered) return sent ?? Promise.resolve(undefined);
    // A send failure fails every call in flight (this one included).
    sent?.catch(() => undefined);
    return answered;
  }

  private track(call: Prepared): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.inFlight.add(call.seqid, { call, resolve, reject, deadline: performance.now() + this.timeoutMs });
      this.watchdog ??= this.watch(this.timeoutMs);
    });
  }

  /** Unreferenced: a call in flight has its connection open, which keeps the process alive. */
  private watch(ms: number): NodeJS.Timeout {
    return setTimeout(this.checkDeadlines, ms).unref();
  }

  /**
   * Every call has the same timeout and inFlight keeps the order calls were made in, so the oldest
   * call in flight has the earliest deadline: it has timed out, or the watchdog waits until it may.
   */
  private readonly checkDeadlines = (): void => {
    this.watchdog = undefined;
    const pending = this.inFlight.oldest()?.value;
    if (!pending) return;
    const left = pending.deadline - performance.now();
    if (left <= 0) {
      const call = pending.call;
      this.fail(new ClientTimeout(`no answer to ${call.service}.${call.method} (seqid ${call.seqid}) from ${this.where} within ${this.timeoutMs} ms`));
    } else {
      this.watchdog = this.watch(Math.ceil(left));
    }
  };

  /** Written now (undefined), or a promise of the write (THeader zlib, or a failure). */
  private send(call: Prepared, alone: boolean): Promise<void> | undefined {
    const info = {
      // THeader names the endpoint's protocol even when writeProtocol writes the body in another
      // (the mismatched-protocol case: the server must notice, not be told).
      protocol: this.plan.request,
      seqid: call.seqid,
      transforms: this.transport === 'header-zlib' ? [ZLIB_TRANSFORM] : [],
      ...(this.headers ? { headers: this.headers } : {}),
    };
    // Nothing waiting to go out and a synchronous framing (all but THeader zlib): written now,
    // without a trip through the promise chain.
    if (this.asyncSends === 0) {
      let wire: Buffer[] | Promise<Buffer[]>;
      try {
        wire = this.framing.wrap(call.message, info);
      } catch (error) {
        const reason = error instanceof Error ? error : new Error(String(error));
        this.fail(reason);
        return Promise.reject(reason);
      }
      if (Array.isArray(wire)) {
        if (alone) this.link.writeAtOnce(wire);
        else this.link.write(wire);
        return undefined;
      }
      return this.chain(() => wire);
    }
    return this.chain(() => this.framing.wrap(call.message, info));
  }

  /** In order, when wrapping is asynchronous (THeader zlib): behind every send before it. */
  private chain(wrap: () => Buffer[] | Promise<Buffer[]>): Promise<void> {
    this.asyncSends++;
    const sent = this.sendChain.then(async () => {
      if (this.failure) throw this.failure;
      this.link.write(await wrap());
    });
    this.sendChain = sent.catch((error: unknown) => {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }).finally(() => {
      this.asyncSends--;
    });
    return sent;
  }

  private received(chunk: Buffer, borrowed: boolean): void {
    let units: readonly Buffer[];
    try {
      units = this.framing.splitter.push(chunk, borrowed);
    } catch (error) {
      this.fail(new ProtocolError(`bad answer stream from ${this.where}: ${describe(error)}`));
      return;
    }
    for (const done of this.framing.splitter.done) this.link.release(done);
    for (const unit of units) {
      // Answers are taken in order; a synchronous framing (all but THeader) needs no promise
      // chain unless an asynchronous unwrap is still ahead of this answer.
      if (this.asyncReceives === 0) {
        let unwrapped: Unwrapped | Promise<Unwrapped>;
        try {
          unwrapped = this.framing.unwrap(unit);
        } catch (error) {
          this.unreadable(error);
          return;
        }
        if (!(unwrapped instanceof Promise)) {
          this.answer(unwrapped);
          continue;
        }
        this.queueAnswer(unwrapped);
      } else {
        this.queueAnswer(() => this.framing.unwrap(unit));
      }
    }
  }

  private queueAnswer(unwrapping: Promise<Unwrapped> | (() => Unwrapped | Promise<Unwrapped>)): void {
    this.asyncReceives++;
    this.receiveChain = this.receiveChain.then(async () => {
      let unwrapped: Unwrapped;
      try {
        unwrapped = await (typeof unwrapping === 'function' ? unwrapping() : unwrapping);
      } catch (error) {
        this.unreadable(error);
        return;
      }
      this.answer(unwrapped);
    }).finally(() => {
      this.asyncReceives--;
    });
  }

  private unreadable(error: unknown): void {
    this.fail(new ProtocolError(`unreadable answer from ${this.where}: ${describe(error)}`));
  }

  private answer(unwrapped: Unwrapped): void {
    if (this.failure) return;
    let reader: ProtocolReader;
    let header: MessageHeader;
    try {
      reader = newReader(unwrapped.protocol, unwrapped.message, this.limits);
      header = reader.readMessageBegin();
    } catch (error) {
      this.unreadable(error);
      return;
    }
    const pending = this.inFlight.take(header.seqid);
    if (!pending) {
      const waiting = [...this.inFlight.entries()].map(([seqid]) => seqid).join(', ') || 'none';
      this.fail(new TApplicationException(ApplicationErrorType.BAD_SEQUENCE_ID, `answer ${header.name} carries seqid ${header.seqid}; calls in flight: ${waiting}`));
      return;
    }
    const outcome = this.settle(reader, header, pending.call);
    if ('value' in outcome) {
      pending.resolve(outcome.value);
      return;
    }
    pending.reject(outcome.error);
    // A cut-short or oversized answer leaves the connection in doubt.
    if (outcome.error instanceof SizeError) this.fail(outcome.error);
  }

  /** Fails every call in flight and closes the connection; later calls fail with the same reason. */
  private fail(reason: Error): void {
    this.failure ??= reason;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    for (const pending of this.inFlight.drain()) pending.reject(reason);
    if (!this.link.destroyed) this.link.destroy();
  }

  async close(): Promise<void> {
    this.failure ??= new TransportError(`the client closed its connection to ${this.where}`);
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    for (const pending of this.inFlight.drain()) pending.reject(this.failure);
    this.link.destroy();
    await this.closed;
  }
}

class HttpClient extends ClientBase {
  private readonly exchange: HttpExchange;
  private queue: Promise<void> = Promise.resolve();
  private closedReason: Error | undefined;

  constructor(idl: Idl, plan: ProtocolPlan, options: ConnectOptions, limits: Limits, endpoint: Endpoint) {
    super(idl, plan, options, limits);
    this.exchange = new HttpExchange(endpoint, limits, options.recorder);
  }

  call(service: string, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    let call: Prepared;
    try {
      call = this.prepare(service, method, args);
    } catch (error) {
      return Promise.reject(error);
    }
    // One POST after another: a call must not overtake the one-way call before it.
    const result = this.queue.then(() => this.post(call));
    this.queue = result.then(() => undefined, () => undefined);
    return result;
  }

  private async post(call: Prepared): Promise<unknown> {
    if (this.closedReason) throw this.closedReason;
    const body = await this.exchange.post(call.message.finish(), call.message.length, this.timeoutMs, `${call.service}.${call.method} (seqid ${call.seqid})`);
    if (call.fn.oneway) return undefined;
    if (body.length === 0) throw new TransportError(`the HTTP answer to ${call.service}.${call.method} is empty`);
    const reader = newReader(this.plan.response, body, this.limits);
    const header = reader.readMessageBegin();
    if (header.seqid !== call.seqid) {
      throw new TApplicationException(ApplicationErrorType.BAD_SEQUENCE_ID, `answer ${header.name} carries seqid ${header.seqid}; the call had ${call.seqid}`);
    }
    const outcome = this.settle(reader, header, call);
    if ('value' in outcome) return outcome.value;
    throw outcome.error;
  }

  async close(): Promise<void> {
    this.closedReason ??= new TransportError('the client is closed');
    this.exchange.close();
  }
}

/** Connects to a Thrift server (HTTP: nothing is opened before the first call). */
export async function connect(endpoint: Endpoint, idlOrPath: Idl | string, options: ConnectOptions = {}): Promise<ThriftClient> {
  const idl = typeof idlOrPath === 'string' ? loadIdl(idlOrPath) : idlOrPath;
  const transport = transportName(endpoint.transport);
  const plan = protocolPlan(endpoint.protocol, 'client');
  const limits = resolveLimits(options.limits);
  if (framingOf(transport) === 'header' && (options.writeProtocol ?? plan.request) === 'json') throw new Error('THeader carries binary or compact only');
  if (transport === 'http') return new HttpClient(idl, plan, options, limits, endpoint);
  // Reads over TCP and Unix sockets go into one reused buffer (net's alternative is a new 64 KiB
  // allocation per read): the splitters copy a message out of it once, only what they keep. Not
  // under zlib (the inflater reads the socket) nor TLS (it reads through its own layer).
  const reads = transport === 'zlib' || endpoint.socket === 'tls' ? undefined : new ReusedReads();
  const socket = await connectSocket(endpoint, options.connectTimeoutMs ?? options.timeoutMs ?? 30_000, reads);
  const where = describeAddress(endpoint);
  const link = transport === 'zlib' ? new ZlibLink(socket, options.recorder, where) : new PlainLink(socket, options.recorder, where, reads);
  return new SocketClient(idl, plan, options, limits, link, transport, where);
}
