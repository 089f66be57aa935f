package org.conformance.avro.peer;

import org.apache.avro.AvroRemoteException;
import org.apache.avro.Protocol;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.ipc.generic.GenericResponder;

/**
 * The server semantics of suites/avro/data/README.md, for the Mail and the Conformance protocol.
 * Requests arrive as GenericRecords of the message's request schema; answers are returned in the
 * same generic representation, so echo* hands back exactly what was decoded.
 */
final class ConformanceResponder extends GenericResponder {
  private static final String ERROR_NAMESPACE = "org.conformance.avro.";
  private static final int MAX_SLOW_ECHO_MILLIS = 5000;

  /**
   * The last note received by notify. Shared by every connection of this listener (each listener
   * has its own responder); SocketServer and Netty answer connections on different threads.
   */
  private volatile String lastNote;

  ConformanceResponder(Protocol protocol) {
    super(protocol);
  }

  @Override
  public Object respond(Protocol.Message message, Object request) throws Exception {
    GenericRecord params = (GenericRecord) request;
    String name = message.getName();
    if (name.startsWith("echo")) return params.get("value");
    switch (name) {
      case "send": {
        GenericRecord mail = (GenericRecord) params.get("message");
        return "Sent message to " + mail.get("to") + " from " + mail.get("from") + " with body " + mail.get("body");
      }
      case "add":
        return (Long) params.get("a") + (Long) params.get("b"); // wraps like any 64-bit add
      case "fail":
        throw declaredError(params.get("kind").toString(), (Integer) params.get("code"), params.get("reason").toString());
      case "failUndeclared":
        // Not an AvroRemoteException and no declared error record: Responder cannot write it into
        // the message's error union and answers a system error carrying this exception's toString().
        throw new IllegalStateException(params.get("reason").toString());
      case "notify":
        lastNote = params.get("note").toString();
        return null;
      case "lastNote":
        return lastNote;
      case "slowEcho": {
        int delay = (Integer) params.get("delayMillis");
        if (delay < 0 || delay > MAX_SLOW_ECHO_MILLIS)
          throw new IllegalArgumentException("slowEcho: delayMillis " + delay + " is outside 0.." + MAX_SLOW_ECHO_MILLIS);
        Thread.sleep(delay); // NettyServer runs each call on its own caller thread: later calls on the connection go on
        return params.get("value");
      }
      default:
        // Only reachable with a protocol whose messages this peer does not know.
        throw new UnsupportedOperationException("this peer has no handler for message " + name);
    }
  }

  /** A declared error is thrown as AvroRemoteException wrapping a record of the error's schema. */
  private AvroRemoteException declaredError(String kind, int code, String reason) {
    switch (kind) {
      case "conformance": {
        GenericRecord error = new GenericData.Record(errorSchema("ConformanceError"));
        error.put("code", code);
        error.put("reason", reason);
        return new AvroRemoteException(error);
      }
      case "other": {
        GenericRecord error = new GenericData.Record(errorSchema("OtherError"));
        error.put("detail", reason);
        return new AvroRemoteException(error);
      }
      default:
        // An unknown kind is a bad request; it surfaces as a system error naming the kind.
        throw new IllegalArgumentException("fail: unknown kind \"" + kind + "\" (expected conformance or other)");
    }
  }

  private Schema errorSchema(String name) {
    Schema schema = getLocal().getType(ERROR_NAMESPACE + name);
    if (schema == null) throw new IllegalStateException("protocol " + getLocal().getName() + " has no type " + name);
    return schema;
  }
}
