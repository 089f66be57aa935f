package org.conformance.thrift.peer;

import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;

/**
 * One call from the client side, the way libthrift's TServiceClient and generated clients make it:
 * a CALL (or ONEWAY) message with the argument struct; the answer is a REPLY whose result struct
 * holds the return value in field 0 or a declared exception in its own field, or an EXCEPTION
 * message with a TApplicationException.
 */
final class Calls {
  private Calls() {}

  /** What came back. */
  sealed interface Outcome permits Returned, Declared, ApplicationError, Nothing {}

  /** A normal answer; null for void. */
  record Returned(Object value) implements Outcome {}

  /** A declared exception. */
  record Declared(StructValue value) implements Outcome {}

  record ApplicationError(TApplicationException error) implements Outcome {}

  /** A one-way call: nothing comes back. */
  record Nothing() implements Outcome {}

  static void send(Codec codec, TProtocol out, Idl.Function function, StructValue arguments, int seqid)
      throws TException {
    out.writeMessageBegin(new TMessage(function.name(), function.oneway() ? TMessageType.ONEWAY : TMessageType.CALL, seqid));
    codec.writeStruct(out, arguments);
    out.writeMessageEnd();
    out.getTransport().flush();
  }

  static Outcome receive(Codec codec, TProtocol in, Idl.Function function, int seqid) throws TException {
    TMessage message = in.readMessageBegin();
    if (message.type == TMessageType.EXCEPTION) {
      TApplicationException error = TApplicationException.readFrom(in);
      in.readMessageEnd();
      return new ApplicationError(error);
    }
    if (message.seqid != seqid) {
      throw new TApplicationException(TApplicationException.BAD_SEQUENCE_ID,
          function.name() + " failed: out of sequence response: expected " + seqid + " but got " + message.seqid);
    }
    StructValue result = codec.readStruct(in, function.result());
    in.readMessageEnd();
    for (Idl.Field f : function.result().fields()) {
      Object value = result.fields().get(f.id());
      if (value == null) continue;
      return f.id() == 0 ? new Returned(value) : new Declared((StructValue) value);
    }
    if (function.returns().kind() == Idl.Kind.VOID) return new Returned(null);
    throw new TApplicationException(TApplicationException.MISSING_RESULT, function.name() + " failed: unknown result");
  }

  static Outcome call(Codec codec, Connection connection, Idl.Function function, StructValue arguments, int seqid)
      throws TException {
    send(codec, connection.requests(function.service()), function, arguments, seqid);
    if (function.oneway()) return new Nothing();
    return receive(codec, connection.in, function, seqid);
  }
}
