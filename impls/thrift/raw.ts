// Message-level access for error-path procedures: encode one message (chosen name, type,
// sequence id; a real call's bytes to cut short), decode an answer from bytes, and a connection
// that sends and receives whole messages over any transport without a client's checks.
import { protocolPlan, transportName, type TransportName } from './axis.ts';
import { readAnswerBody, readApplicationException, skipBody, writeCall, writeEmptyCall } from './codec/messages.ts';
import { TransportError } from './errors.ts';
import { ZLIB_TRANSFORM } from './framing/theader.ts';
import type { Idl } from './idl/model.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { newReader, newWriter, type ProtocolName } from './protocol/index.ts';
import { OutputBuffer } from './protocol/output.ts';
import { MessageType } from './protocol/wire.ts';
import type { Endpoint } from './server.ts';
import { framingFor, type Framing } from './transport/framing.ts';
import { HttpExchange } from './transport/http-client.ts';
import { PlainLink, ZlibLink, type Link } from './transport/link.ts';
import { connectSocket, describeAddress } from './transport/sockets.ts';
import type { WireRecorder } from '../wire/recorder.ts';

export interface RequestSpec {
  readonly service?: string;
  readonly method: string;
  readonly args?: Record<string, unknown>;
  readonly seqid: number;
}

/** The bytes (unframed) of a call as a client of the protocol axis writes it (multiplexed names included). */
export function encodeRequest(idl: Idl, protocolAxis: string, spec: RequestSpec): Buffer {
  const plan = protocolPlan(protocolAxis, 'client');
  const service = spec.service ?? [...idl.services.keys()][0] ?? '';
  const fn = idl.method(service, spec.method);
  const writer = newWriter(plan.request);
  writeCall(idl, writer, fn, plan.multiplexed ? `${service}:${spec.method}` : spec.method, spec.seqid, spec.args ?? {});
  return writer.output.toBuffer();
}

/** A message with an empty struct body under any name and type (the IDL need not know the name). */
export function encodeMessage(protocol: ProtocolName, name: string, type: number, seqid: number): Buffer {
  const writer = newWriter(protocol);
  writeEmptyCall(writer, name, type, seqid);
  return writer.output.toBuffer();
}

export type DecodedOutcome =
  | { readonly kind: 'response'; readonly value: unknown }
  | { readonly kind: 'exception'; readonly type: string; readonly value: Record<string, unknown> }
  | { readonly kind: 'applicationError'; readonly type: number; readonly message: string }
  /** A REPLY to a method the caller did not name (its body skipped). */
  | { readonly kind: 'skipped' };

export interface DecodedAnswer {
  readonly name: string;
  readonly type: number;
  readonly seqid: number;
  readonly outcome: DecodedOutcome;
}

/** Decodes one answer message (in the axis's answer protocol, or a protocol name). */
export function decodeAnswer(idl: Idl, protocolAxis: string, bytes: Buffer, call: { service?: string; method?: string } = {}, limits?: Partial<Limits>): DecodedAnswer {
  const plan = protocolPlan(protocolAxis, 'client');
  const reader = newReader(plan.response, bytes, resolveLimits(limits));
  const header = reader.readMessageBegin();
  let outcome: DecodedOutcome;
  if (header.type === MessageType.EXCEPTION) {
    const error = readApplicationException(reader);
    reader.readMessageEnd();
    outcome = { kind: 'applicationError', type: error.type, message: error.message };
  } else if (call.method === undefined) {
    skipBody(reader);
    outcome = { kind: 'skipped' };
  } else {
    const service = call.service ?? [...idl.services.keys()][0] ?? '';
    const answer = readAnswerBody(reader, header, idl.method(service, call.method));
    outcome = answer.kind === 'applicationError' ? { kind: 'applicationError', type: answer.error.type, message: answer.error.message } : answer;
  }
  return { name: header.name, type: header.type, seqid: header.seqid, outcome };
}

export interface RawOptions {
  readonly timeoutMs?: number;
  readonly recorder?: WireRecorder;
  readonly limits?: Partial<Limits>;
}

/** Whole messages over a transport, framed as the transport frames them, and nothing else. */
export class RawConnection {
  private readonly answers: Buffer[] = [];
  private waiter: ((answer: Buffer | Error) => void) | undefined;
  private failure: Error | undefined;
  private readonly transport: TransportName;
  private readonly protocol: ProtocolName;
  private readonly link: Link | undefined;
  private readonly framing: Framing | undefined;
  private readonly http: HttpExchange | undefined;
  private readonly timeoutMs: number;
  private receiveChain: Promise<void> = Promise.resolve();

  private constructor(transport: TransportName, protocol: ProtocolName, timeoutMs: number, link?: Link, framing?: Framing, http?: HttpExchange) {
    this.transport = transport;
    this.protocol = protocol;
    this.timeoutMs = timeoutMs;
    this.link = link;
    this.framing = framing;
    this.http = http;
  }

  static async open(endpoint: Endpoint, options: RawOptions = {}): Promise<RawConnection> {
    const transport = transportName(endpoint.transport);
    const plan = protocolPlan(endpoint.protocol, 'client');
    const limits = resolveLimits(options.limits);
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (transport === 'http') return new RawConnection(transport, plan.request, timeoutMs, undefined, undefined, new HttpExchange(endpoint, limits, options.recorder));
    const socket = await connectSocket(endpoint, timeoutMs);
    const where = describeAddress(endpoint);
    const link = transport === 'zlib' ? new ZlibLink(socket, options.recorder, where) : new PlainLink(socket, options.recorder, where);
    const framing = framingFor(transport, plan.response, limits);
    const raw = new RawConnection(transport, plan.request, timeoutMs, link, framing);
    link.start({
      data: (chunk, borrowed) => {
        try {
          for (const unit of framing.splitter.push(chunk, borrowed)) {
            raw.receiveChain = raw.receiveChain.then(async () => raw.deliver((await framing.unwrap(unit)).message)).catch((error: unknown) => raw.deliver(error as Error));
          }
        } catch (error) {
          raw.deliver(error as Error);
        }
      },
      // Behind the answers before them: THeader's zlib transform unwraps on the thread pool.
      end: () => raw.afterAnswers(new TransportError('the server closed the connection')),
      closed: (error) => raw.afterAnswers(error ?? new TransportError('the connection is closed')),
      drain: () => undefined,
    });
    return raw;
  }

  private afterAnswers(error: Error): void {
    this.receiveChain = this.receiveChain.then(() => this.deliver(error));
  }

  private deliver(answer: Buffer | Error): void {
    if (answer instanceof Error) this.failure ??= answer;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(answer instanceof Error ? this.failure ?? answer : answer);
    else if (!(answer instanceof Error)) this.answers.push(answer);
  }

  /** Sends one message (unframed bytes); THeader frames carry seqid in their header. */
  async send(message: Buffer, seqid = 0): Promise<void> {
    if (this.http) {
      const body = await this.http.post([message], message.length, this.timeoutMs, 'a raw message').catch((error: unknown) => error as Error);
      if (body instanceof Error || body.length > 0) this.deliver(body);
      return;
    }
    if (!this.link || !this.framing) throw new TransportError('not connected');
    const wire = await this.framing.wrap(OutputBuffer.holding(message), {
      protocol: this.protocol, seqid, transforms: this.transport === 'header-zlib' ? [ZLIB_TRANSFORM] : [],
    });
    this.link.write(wire);
  }

  /** The next answer message (unframed), or the error that ended the connection, within timeoutMs. */
  receive(timeoutMs = this.timeoutMs): Promise<Buffer> {
    const ready = this.answers.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new TransportError(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (answer) => {
        clearTimeout(timer);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      };
    });
  }

  close(): void {
    this.link?.destroy();
    this.http?.close();
  }
}
