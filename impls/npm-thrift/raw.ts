// Message-level access below the generated clients, for error-path procedures: write any message
// (unknown method names, chosen sequence ids, a request cut short) and read answers as bytes.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { frame, MessageStream } from './message-stream.ts';
import { multiplexedClass, protocolClass, protocolPair } from './protocols.ts';
import { Thrift, type MessageBegin, type Protocol, type ProtocolClass } from './runtime.ts';
import { InputBuffer, OutputCollector } from './transports.ts';
import type { WireRecorder } from '../wire/recorder.ts';

export interface RawOptions {
  readonly transport: 'buffered' | 'framed' | 'http';
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly httpPath?: string;
  readonly limits?: Partial<Limits>;
  /** Told every byte written and read (HTTP: the bodies). */
  readonly recorder?: WireRecorder;
}

/** Encodes one message with the axis's request protocol (multiplexed names included). */
export function encodeRequest(protocol: string, write: (output: Protocol) => void, service = 'Conformance'): Buffer {
  const pair = protocolPair(protocol);
  let Writer: ProtocolClass = protocolClass(pair.request, DEFAULT_LIMITS);
  if (pair.multiplexed) Writer = multiplexedClass(Writer, service);
  let message: Buffer = Buffer.alloc(0);
  const output = new Writer(new OutputCollector((m) => { message = m; }));
  write(output);
  output.flush();
  return message;
}

/** A CALL of `name` with an empty argument struct. */
export function encodeEmptyCall(protocol: string, name: string, seqid: number): Buffer {
  return encodeRequest(protocol, (output) => {
    output.writeMessageBegin(name, Thrift.MessageType.CALL, seqid);
    output.writeStructBegin('args');
    output.writeFieldStop();
    output.writeStructEnd();
    output.writeMessageEnd();
  });
}

export interface DecodedAnswer {
  readonly begin: MessageBegin;
  /** Set when the answer is a TApplicationException. */
  readonly applicationError?: { readonly type: number; readonly message: string };
}

/** Reads an answer's header and, for EXCEPTION messages, the TApplicationException. */
export function decodeAnswer(protocol: string, data: Buffer): DecodedAnswer & { used: number } {
  const Reader = protocolClass(protocolPair(protocol).response, DEFAULT_LIMITS);
  const input = new InputBuffer(data, DEFAULT_LIMITS);
  const reader = new Reader(input);
  const begin = reader.readMessageBegin();
  if (begin.mtype === Thrift.MessageType.EXCEPTION) {
    const error = new Thrift.TApplicationException();
    error.read(reader);
    reader.readMessageEnd();
    return { begin, applicationError: { type: error.type, message: error.message }, used: input.position };
  }
  reader.skip(Thrift.Type['STRUCT'] ?? 12);
  reader.readMessageEnd();
  return { begin, used: input.position };
}

/** Sends whole messages and receives whole answers over the cell's transport. */
export class RawExchange {
  private readonly answers: Buffer[] = [];
  private waiter: ((answer: Buffer | Error) => void) | undefined;
  private socket: Socket | undefined;
  private failure: Error | undefined;
  private readonly options: RawOptions;

  private constructor(options: RawOptions) {
    this.options = options;
  }

  static async open(options: RawOptions): Promise<RawExchange> {
    const exchange = new RawExchange(options);
    if (options.transport !== 'http') await exchange.connect();
    return exchange;
  }

  private deliver(answer: Buffer | Error): void {
    if (answer instanceof Error) this.failure ??= answer;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(answer);
    else if (!(answer instanceof Error)) this.answers.push(answer);
  }

  private connect(): Promise<void> {
    const limits = { ...DEFAULT_LIMITS, ...this.options.limits };
    const framing = this.options.transport === 'framed' ? 'framed' : 'buffered';
    const stream = new MessageStream(framing, limits, (data) => {
      const { used } = decodeAnswer(this.options.protocol, data);
      this.deliver(Buffer.from(data.subarray(0, used)));
      return used;
    });
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port }, () => resolve());
      this.socket = socket;
      socket.once('error', (error) => { reject(error); this.deliver(error); });
      socket.on('close', () => this.deliver(new Error('the server closed the connection')));
      socket.on('data', (chunk: Buffer) => {
        this.options.recorder?.received(chunk);
        try { stream.push(chunk); } catch (error) { this.deliver(error as Error); socket.destroy(); }
      });
    });
  }

  send(message: Buffer): void {
    if (this.options.transport === 'http') {
      const request = httpRequest({
        host: this.options.host, port: this.options.port, path: this.options.httpPath ?? '/thrift', method: 'POST',
        headers: { 'content-type': 'application/x-thrift', 'content-length': message.length },
      }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => { this.options.recorder?.received(chunk); parts.push(chunk); });
        response.on('end', () => this.deliver(response.statusCode === 200
          ? Buffer.concat(parts) : new Error(`HTTP ${response.statusCode}: ${Buffer.concat(parts).toString('utf8').slice(0, 200)}`)));
      });
      request.on('error', (error) => this.deliver(error));
      this.options.recorder?.sent(message);
      request.end(message);
      return;
    }
    const bytes = this.options.transport === 'framed' ? frame(message) : message;
    this.options.recorder?.sent(bytes);
    this.socket?.write(bytes);
  }

  /** The next answer, or the error that ended the exchange, within timeoutMs. */
  receive(timeoutMs: number): Promise<Buffer> {
    const ready = this.answers.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiter = undefined; reject(new Error(`no answer within ${timeoutMs} ms`)); }, timeoutMs);
      this.waiter = (answer) => {
        clearTimeout(timer);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      };
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
