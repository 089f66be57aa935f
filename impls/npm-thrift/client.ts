// Our Thrift client connection: one socket (buffered or framed) or an HTTP endpoint, any protocol
// axis value including mixed pairs (writes requests in one protocol, reads answers in another).
// Generated service clients write through it; it reads each answer, checks that its sequence id
// and method name match a call in flight, and applies a per-call timeout.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { DEFAULT_LIMITS, LimitExceeded, type Limits } from './limits.ts';
import { frame, MessageStream } from './message-stream.ts';
import { multiplexedClass, protocolClass, protocolPair, type BaseProtocol } from './protocols.ts';
import { generated, Thrift, type ProtocolClass, type ServiceClient, type ServiceName } from './runtime.ts';
import { InputBuffer, OutputCollector } from './transports.ts';
import type { WireRecorder } from '../wire/recorder.ts';

export interface ClientOptions {
  readonly transport: 'buffered' | 'framed' | 'http';
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly httpPath?: string;
  /** A call without an answer after this long fails with a timeout and the connection is closed. */
  readonly timeoutMs?: number;
  readonly limits?: Partial<Limits>;
  /** Writes requests in this protocol instead of the axis's (for the mismatched-pair case). */
  readonly writeProtocolOverride?: BaseProtocol;
  /** Told every byte written and read (HTTP: the bodies). */
  readonly recorder?: WireRecorder;
}

export class ClientTimeout extends Error {
  override readonly name = 'ClientTimeout';
}

export class ConnectionClosed extends Error {
  override readonly name = 'ConnectionClosed';
}

interface InFlight {
  readonly method: string;
  readonly client: ServiceClient;
  readonly timer: NodeJS.Timeout;
}

function applicationError(type: string, message: string): Error {
  return new Thrift.TApplicationException(Thrift.TApplicationExceptionType[type], message);
}

export class ThriftClientConnection {
  private readonly inFlight = new Map<number, InFlight>();
  private readonly clients = new Map<ServiceName, ServiceClient>();
  private readonly Request: ProtocolClass;
  private readonly Response: ProtocolClass;
  private readonly limits: Limits;
  private readonly multiplexed: boolean;
  private nextSeqid = 0;
  private socket: Socket | undefined;
  private stream: MessageStream | undefined;
  private closedReason: Error | undefined;

  private readonly options: ClientOptions;

  private constructor(options: ClientOptions) {
    this.options = options;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const pair = protocolPair(options.protocol);
    this.Request = protocolClass(options.writeProtocolOverride ?? pair.request, this.limits);
    this.Response = protocolClass(pair.response, this.limits);
    this.multiplexed = pair.multiplexed;
  }

  static async open(options: ClientOptions): Promise<ThriftClientConnection> {
    const connection = new ThriftClientConnection(options);
    if (options.transport !== 'http') await connection.connectSocket();
    return connection;
  }

  /** The generated client of a service, writing through this connection. */
  service(name: ServiceName): ServiceClient {
    const existing = this.clients.get(name);
    if (existing) return existing;
    const connection = this;
    const Base = this.multiplexed ? multiplexedClass(this.Request, name) : this.Request;
    // Every call registers itself here when its header is written: seqid -> method and timer.
    const Tracking = class extends Base {
      override writeMessageBegin(method: string, type: number, seqid: number): void {
        if (type === Thrift.MessageType.CALL) connection.track(seqid, method, client);
        super.writeMessageBegin(method, type, seqid);
      }
    };
    const output = new OutputCollector((message) => this.send(message));
    const client = new generated[name].Client(output, Tracking);
    // One sequence-id counter per connection, shared by every service on it.
    client.new_seqid = () => (this.nextSeqid = (this.nextSeqid + 1) | 0);
    this.clients.set(name, client);
    return client;
  }

  close(): void {
    this.fail(new ConnectionClosed('connection closed by the client'));
    this.socket?.destroy();
  }

  private track(seqid: number, method: string, client: ServiceClient): void {
    if (this.closedReason) throw this.closedReason;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      this.fail(new ClientTimeout(`no answer to ${method} (seqid ${seqid}) within ${timeoutMs} ms`));
      this.socket?.destroy();
    }, timeoutMs);
    this.inFlight.set(seqid, { method, client, timer });
  }

  private connectSocket(): Promise<void> {
    const framing = this.options.transport === 'framed' ? 'framed' : 'buffered';
    this.stream = new MessageStream(framing, this.limits, (data) => this.receive(data));
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port }, () => resolve());
      this.socket = socket;
      socket.once('error', (error) => {
        reject(error);
        this.fail(new ConnectionClosed(`socket error: ${error.message}`));
      });
      socket.on('close', () => this.fail(new ConnectionClosed('the server closed the connection')));
      socket.on('data', (chunk: Buffer) => {
        this.options.recorder?.received(chunk);
        try {
          this.stream?.push(chunk);
        } catch (error) {
          this.fail(error instanceof Error ? error : new Error(String(error)));
          socket.destroy();
        }
      });
    });
  }

  private send(message: Buffer): void {
    if (this.closedReason) throw this.closedReason;
    if (this.options.transport === 'http') {
      this.post(message);
      return;
    }
    const bytes = this.options.transport === 'framed' ? frame(message) : message;
    this.options.recorder?.sent(bytes);
    this.socket?.write(bytes);
  }

  /**
   * One message per POST, with Content-Length (Python's http.server does not de-chunk). POSTs go
   * out one after another: a one-way call resolves once written, and the call after it must not
   * overtake it on another HTTP connection (seen: Jetty ran lastNote before notify).
   */
  private post(message: Buffer): void {
    this.httpQueue = this.httpQueue.then(() => new Promise<void>((done) => this.postNow(message, done)));
  }

  private httpQueue: Promise<void> = Promise.resolve();

  private postNow(message: Buffer, done: () => void): void {
    const request = httpRequest({
      host: this.options.host, port: this.options.port, path: this.options.httpPath ?? '/thrift', method: 'POST',
      headers: { 'content-type': 'application/x-thrift', accept: 'application/x-thrift', 'content-length': message.length },
    }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        this.options.recorder?.received(chunk);
        parts.push(chunk);
      });
      response.on('end', () => {
        done();
        const body = Buffer.concat(parts);
        if (response.statusCode !== 200) {
          this.fail(new ConnectionClosed(`HTTP ${response.statusCode}: ${body.toString('utf8').slice(0, 200)}`));
          return;
        }
        if (body.length === 0) return; // the answer to a one-way call
        try {
          const used = this.receive(body);
          if (used !== body.length) throw new LimitExceeded(`HTTP answer has ${body.length - used} bytes after its message`);
        } catch (error) {
          this.fail(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    request.on('error', (error) => {
      done();
      this.fail(new ConnectionClosed(`HTTP request failed: ${error.message}`));
    });
    this.options.recorder?.sent(message);
    request.end(message);
  }

  /** Reads one answer and hands it to the generated client that made the call. */
  private receive(data: Buffer): number {
    // Decode the whole answer once on a probe first: generated recv_* methods forget the call
    // before reading the result, so they must never see a message that is still incomplete.
    const probe = new this.Response(new InputBuffer(data, this.limits));
    probe.readMessageBegin();
    probe.skip(Thrift.Type['STRUCT'] ?? 12);
    probe.readMessageEnd();
    const input = new InputBuffer(data, this.limits);
    const protocol = new this.Response(input);
    const begin = protocol.readMessageBegin();
    const call = this.inFlight.get(begin.rseqid);
    if (call === undefined) {
      const waiting = [...this.inFlight.keys()].join(', ') || 'none';
      throw applicationError('BAD_SEQUENCE_ID', `answer ${begin.fname} carries seqid ${begin.rseqid}; calls in flight: ${waiting}`);
    }
    const answered = begin.fname.slice(begin.fname.indexOf(':') + 1);
    if (answered !== call.method) {
      throw applicationError('WRONG_METHOD_NAME', `answer to ${call.method} (seqid ${begin.rseqid}) is named ${begin.fname}`);
    }
    if (begin.mtype !== Thrift.MessageType.REPLY && begin.mtype !== Thrift.MessageType.EXCEPTION) {
      throw applicationError('INVALID_MESSAGE_TYPE', `answer to ${call.method} has message type ${begin.mtype}`);
    }
    this.inFlight.delete(begin.rseqid);
    clearTimeout(call.timer);
    const recv = call.client[`recv_${call.method}`];
    if (typeof recv !== 'function') throw new Error(`generated client has no recv_${call.method}`);
    recv.call(call.client, protocol, begin.mtype, begin.rseqid);
    return input.position;
  }

  /** Fails every call in flight and refuses new ones. */
  private fail(reason: Error): void {
    this.closedReason ??= reason;
    for (const [seqid, call] of this.inFlight) {
      clearTimeout(call.timer);
      const callback = call.client._reqs[seqid];
      delete call.client._reqs[seqid];
      callback?.(reason);
    }
    this.inFlight.clear();
  }
}
