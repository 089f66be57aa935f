package org.conformance.thrift.peer;

import java.util.HashMap;
import java.util.Map;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TTransportException;
import org.conformance.peer.common.KeyedLog;

/**
 * A TProcessor for one service of the IDL, written by hand against the interface every libthrift
 * server takes ({@code process(in, out)}, the same from 0.13 to 0.25). It answers the way
 * libthrift's generated processors (TBaseProcessor, ProcessFunction) do: an unknown method is
 * UNKNOWN_METHOD, arguments that do not decode are PROTOCOL_ERROR, a declared exception goes into
 * the result struct, a TApplicationException is sent as it was raised, anything else is
 * INTERNAL_ERROR, and a one-way call is never answered.
 */
final class ServiceProcessor implements TProcessor {
  private final Idl.Service service;
  private final Handler handler;
  private final Codec codec;

  ServiceProcessor(Idl.Service service, Handler handler, Codec codec) {
    this.service = service;
    this.handler = handler;
    this.codec = codec;
  }

  @Override
  public void process(TProtocol in, TProtocol out) throws TException {
    TMessage message = in.readMessageBegin();
    Idl.Function function = service.functions().get(message.name);
    if (function == null) {
      TProtocolUtil.skip(in, TType.STRUCT, Codec.MAX_DEPTH);
      in.readMessageEnd();
      answer(out, message, TMessageType.EXCEPTION, null, new TApplicationException(
          TApplicationException.UNKNOWN_METHOD, "Invalid method name: '" + message.name + "'"));
      return;
    }
    StructValue arguments;
    try {
      arguments = codec.readStruct(in, function.arguments());
    } catch (TProtocolException e) {
      in.readMessageEnd();
      answer(out, message, TMessageType.EXCEPTION, null,
          new TApplicationException(TApplicationException.PROTOCOL_ERROR, e.getMessage()));
      return;
    }
    in.readMessageEnd();

    Map<String, Object> byName = new HashMap<>();
    for (Idl.Field f : function.arguments().fields()) byName.put(f.name(), arguments.fields().get(f.id()));
    StructValue result = new StructValue(function.result());
    TApplicationException failure = null;
    try {
      Object answer = handler.call(function, byName);
      if (answer != null) result.set("success", answer);
    } catch (Handler.Raised raised) {
      String field = declaredField(function, raised.value);
      if (field == null) {
        KeyedLog.log(service.name() + "." + function.name() + " raised " + raised.value.definition().name()
            + ", which it does not declare");
        failure = internalError(function);
      } else {
        result.set(field, raised.value);
      }
    } catch (TApplicationException raised) {
      KeyedLog.log("application error processing " + function.name() + ": " + raised);
      failure = raised;
    } catch (TTransportException e) {
      throw e;
    } catch (Exception | LinkageError e) {
      KeyedLog.log("internal error processing " + function.name() + ": " + e);
      failure = internalError(function);
    }
    if (function.oneway()) return; // nothing goes back, whatever happened
    if (failure != null) {
      answer(out, message, TMessageType.EXCEPTION, null, failure);
    } else {
      answer(out, message, TMessageType.REPLY, result, null);
    }
  }

  private static TApplicationException internalError(Idl.Function function) {
    return new TApplicationException(TApplicationException.INTERNAL_ERROR,
        "Internal error processing " + function.name());
  }

  /** The result field that declares this exception, or null. */
  private static String declaredField(Idl.Function function, StructValue exception) {
    for (Idl.Field f : function.result().fields()) {
      if (f.id() != 0 && f.type().kind() == Idl.Kind.STRUCT && f.type().name().equals(exception.definition().name())) {
        return f.name();
      }
    }
    return null;
  }

  private void answer(TProtocol out, TMessage call, byte type, StructValue result, TApplicationException error)
      throws TException {
    out.writeMessageBegin(new TMessage(call.name, type, call.seqid));
    if (error != null) {
      error.write(out);
    } else {
      codec.writeStruct(out, result);
    }
    out.writeMessageEnd();
    out.getTransport().flush();
  }
}
