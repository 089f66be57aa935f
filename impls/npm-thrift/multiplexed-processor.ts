// Routes "Service:method" calls to the processor registered for Service, with its own reader and
// writer (npm's MultiplexedProcessor throws a bare TException on an unknown service, which ends
// the connection without an answer; we answer a TApplicationException like Java and Python do).
import { Thrift, type MessageBegin, type Processor, type Protocol } from './runtime.ts';

export class MultiplexedProcessor implements Processor {
  private readonly services = new Map<string, Processor>();

  register(service: string, processor: Processor): this {
    this.services.set(service, processor);
    return this;
  }

  process(input: Protocol, output: Protocol): unknown {
    const begin = input.readMessageBegin();
    const colon = begin.fname.indexOf(':');
    const service = colon < 0 ? undefined : this.services.get(begin.fname.slice(0, colon));
    if (service === undefined) {
      input.skip(Thrift.Type['STRUCT'] ?? 12);
      input.readMessageEnd();
      const error = new Thrift.TApplicationException(Thrift.TApplicationExceptionType['UNKNOWN_METHOD'],
        colon < 0 ? `multiplexed server: no service name in "${begin.fname}"` : `unknown service in "${begin.fname}"`);
      output.writeMessageBegin(begin.fname, Thrift.MessageType.EXCEPTION, begin.rseqid);
      error.write(output);
      output.writeMessageEnd();
      output.flush();
      return undefined;
    }
    // The service's processor reads the message header again: hand it the stripped one.
    const stripped: MessageBegin = { fname: begin.fname.slice(colon + 1), mtype: begin.mtype, rseqid: begin.rseqid };
    const reader: Protocol = Object.create(input, { readMessageBegin: { value: () => stripped } });
    return service.process(reader, output);
  }
}
