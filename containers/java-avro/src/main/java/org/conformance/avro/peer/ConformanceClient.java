package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.AvroRemoteException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Protocol;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.Decoder;
import org.apache.avro.ipc.Transceiver;
import org.apache.avro.ipc.generic.GenericRequestor;

/**
 * Runs cases from cases.json against a server with GenericRequestor over one transceiver, and
 * prints TAP 13. A failing case is a TAP line, never an exit code.
 */
final class ConformanceClient {
  /** How long one call may take before the case fails; the harness allows minutes per cell. */
  private static final int CALL_TIMEOUT_MILLIS = Integer.getInteger("conformance.callTimeoutMillis", 10_000);

  private final Options options;
  private final Protocol protocol;
  private final Map<String, JsonNode> catalogue;
  private final Tap tap;
  private final ExecutorService calls = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "call");
    thread.setDaemon(true); // a call stuck in a transceiver must not keep the JVM alive
    return thread;
  });

  private Transceiver transceiver;
  private GenericRequestor requestor;

  ConformanceClient(Options options, Protocol protocol, JsonNode cases, PrintStream out) {
    this.options = options;
    this.protocol = protocol;
    this.catalogue = new LinkedHashMap<>();
    for (JsonNode c : cases.path("cases")) catalogue.put(c.path("id").asText(), c);
    this.tap = new Tap(out);
  }

  /** A case failed: message, and the expected and actual values in the notation. */
  static final class Failure extends Exception {
    final JsonNode expected;
    final JsonNode actual;

    Failure(String message, JsonNode expected, JsonNode actual) {
      super(message);
      this.expected = expected;
      this.actual = actual;
    }
  }

  void run(List<String> ids) {
    tap.plan(ids.size());
    tap.comment("java-avro client (Avro " + org.apache.avro.Schema.class.getPackage().getImplementationVersion() + "): " + options.transport
        + " to " + options.serverKind + " at " + options.host + ":" + options.port + ", protocol " + protocol.getName());
    for (String id : ids) {
      tap.begin(id);
      JsonNode testCase = catalogue.get(id);
      if (testCase == null) {
        tap.notOk(id, new Failure("no case \"" + id + "\" in cases.json", null, null));
        continue;
      }
      String skip = skipReason(testCase);
      if (skip != null) {
        tap.skip(id, skip);
        continue;
      }
      try {
        runCase(testCase);
        tap.ok(id);
      } catch (Failure failure) {
        tap.notOk(id, failure);
      } catch (Notation.NotationException e) {
        tap.notOk(id, new Failure("the case does not fit the protocol: " + e.getMessage(), null, null));
      }
    }
    close();
  }

  private String skipReason(JsonNode testCase) {
    String kind = testCase.path("kind").asText();
    if (!List.of("call", "oneway", "sequence").contains(kind))
      return "kind \"" + kind + "\" is a TypeScript-only procedure; the Java peer runs call, oneway and sequence";
    JsonNode directions = testCase.get("directions");
    if (directions != null && !containsText(directions, "ts-server"))
      return "the case is not run with a reference client (directions " + directions + ")";
    JsonNode transports = testCase.get("transports");
    if (transports != null && !containsText(transports, options.transport))
      return "the case does not apply to transport " + options.transport + " (transports " + transports + ")";
    return null;
  }

  private static boolean containsText(JsonNode array, String text) {
    for (JsonNode item : array) if (item.asText().equals(text)) return true;
    return false;
  }

  private void runCase(JsonNode testCase) throws Failure {
    String caseProtocol = testCase.path("protocol").asText();
    if (!caseProtocol.equals(options.protocol))
      throw new Failure("the case is for protocol " + caseProtocol + ", this client speaks " + options.protocol, null, null);
    switch (testCase.path("kind").asText()) {
      case "call":
        call(testCase, "");
        break;
      case "sequence": {
        int i = 0;
        for (JsonNode step : testCase.path("calls")) call(step, "call " + i++ + " of the sequence: ");
        break;
      }
      case "oneway": {
        Protocol.Message message = message(testCase.path("message").asText());
        if (!message.isOneWay()) throw new Failure("message " + message.getName() + " is not one-way in the protocol", null, null);
        Object answer;
        try {
          answer = invoke(message, testCase.path("request"), "one-way " + message.getName() + ": ");
        } catch (AvroRemoteException | CallError e) {
          throw new Failure("one-way " + message.getName() + " failed: " + e.getMessage(), null, null);
        }
        if (answer != null) throw new Failure("one-way " + message.getName() + " returned a value", JsonNodeFactory.instance.nullNode(),
            JsonNodeFactory.instance.textNode(String.valueOf(answer)));
        JsonNode then = testCase.path("then");
        JsonNode expect = JsonNodeFactory.instance.objectNode().set("response", then.path("response"));
        check(message(then.path("message").asText()), then.path("request"), expect, "then " + then.path("message").asText() + ": ");
        break;
      }
      default:
        throw new Failure("unknown kind " + testCase.path("kind"), null, null);
    }
  }

  private void call(JsonNode step, String context) throws Failure {
    check(message(step.path("message").asText()), step.path("request"), step.path("expect"), context);
  }

  private Protocol.Message message(String name) throws Failure {
    Protocol.Message message = protocol.getMessages().get(name);
    if (message == null) throw new Failure("protocol " + protocol.getName() + " has no message \"" + name + "\"", null, null);
    return message;
  }

  /** Makes one call and compares its outcome with the case's expect block. */
  private void check(Protocol.Message message, JsonNode request, JsonNode expect, String context) throws Failure {
    Object response;
    try {
      response = invoke(message, request, context);
    } catch (AvroRemoteException remote) {
      checkDeclaredError(message, expect, remote, context);
      return;
    } catch (CallError error) {
      checkSystemError(expect, error, context);
      return;
    }
    if (!expect.has("response")) {
      throw new Failure(context + "expected " + (expect.has("error") ? "a declared error" : "a system error") + ", got an answer",
          expect, Notation.render(message.getResponse(), response));
    }
    Object expected = Notation.read(message.getResponse(), expect.get("response"));
    String difference = Notation.difference(message.getResponse(), expected, response);
    if (difference != null)
      throw new Failure(context + difference, Notation.render(message.getResponse(), expected), Notation.render(message.getResponse(), response));
  }

  private void checkDeclaredError(Protocol.Message message, JsonNode expect, AvroRemoteException remote, String context) throws Failure {
    Object value = remote.getValue();
    JsonNode actual = describeRemote(message, value);
    JsonNode error = expect.get("error");
    if (error == null)
      throw new Failure(context + "the server raised a declared error", expect, actual);
    String type = error.path("type").asText();
    Schema schema = protocol.getType(type);
    if (schema == null) throw new Failure(context + "the protocol declares no error type " + type, expect, actual);
    if (!(value instanceof GenericRecord) || !((GenericRecord) value).getSchema().getFullName().equals(type))
      throw new Failure(context + "expected error type " + type, expect, actual);
    Object expected = Notation.read(schema, error.path("value"));
    String difference = Notation.difference(schema, expected, value);
    if (difference != null) throw new Failure(context + "error " + difference, expect, actual);
  }

  private static JsonNode describeRemote(Protocol.Message message, Object value) {
    if (value instanceof GenericRecord) {
      GenericRecord record = (GenericRecord) value;
      return JsonNodeFactory.instance.objectNode().put("type", record.getSchema().getFullName())
          .set("value", Notation.render(record.getSchema(), record));
    }
    return JsonNodeFactory.instance.objectNode().put("declaredErrorValue", String.valueOf(value));
  }

  private static void checkSystemError(JsonNode expect, CallError error, String context) throws Failure {
    JsonNode actual = JsonNodeFactory.instance.objectNode().put(error.transport ? "callFailed" : "systemError", error.getMessage());
    JsonNode substring = expect.get("systemError");
    if (substring == null) {
      throw new Failure(context + error.getMessage(), expect, actual);
    }
    if (error.transport)
      throw new Failure(context + "expected a system error from the server, the call itself failed: " + error.getMessage(), expect, actual);
    if (!error.getMessage().contains(substring.asText()))
      throw new Failure(context + "the system error does not contain " + substring, expect, actual);
  }

  /**
   * A call that ended without an answer or a declared error: a system error sent by the server
   * (AvroRuntimeException from GenericRequestor.readError), or a transport/client failure.
   */
  static final class CallError extends Exception {
    final boolean transport;

    CallError(String message, boolean transport) {
      super(message);
      this.transport = transport;
    }
  }

  /** One call through the single requestor, bounded by CALL_TIMEOUT_MILLIS. */
  private Object invoke(Protocol.Message message, JsonNode requestNode, String context) throws AvroRemoteException, CallError {
    GenericRecord request = (GenericRecord) Notation.read(message.getRequest(), requestNode);
    GenericRequestor requestor;
    try {
      requestor = requestor();
    } catch (IOException | RuntimeException e) {
      throw new CallError("could not connect with " + options.transport + " to " + options.host + ":" + options.port + ": " + e, true);
    }
    Future<Object> call = calls.submit(() -> requestor.request(message.getName(), request));
    try {
      return call.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      // The connection is in an unknown state: later cases get a fresh transceiver.
      tap.comment("call " + message.getName() + " timed out; reconnecting for the next case");
      close();
      throw new CallError("no answer within " + CALL_TIMEOUT_MILLIS + " ms", true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallError("interrupted", true);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AvroRemoteException) throw (AvroRemoteException) cause;
      if (cause instanceof ServerSystemError) throw new CallError(cause.getMessage(), false);
      throw new CallError(cause.toString(), true);
    }
  }

  /** The string branch of an error union, as the server sent it. */
  static final class ServerSystemError extends AvroRuntimeException {
    ServerSystemError(String message) {
      super(message);
    }
  }

  private GenericRequestor requestor() throws IOException {
    if (requestor == null) {
      transceiver = Transports.open(options.transport, options.host, options.port, CALL_TIMEOUT_MILLIS);
      requestor = new GenericRequestor(protocol, transceiver) {
        @Override
        public Exception readError(Schema writer, Schema reader, Decoder in) throws IOException {
          // Tell a system error the server sent (the string branch) from every client-side failure.
          Exception error = super.readError(writer, reader, in);
          return error instanceof AvroRemoteException ? error : new ServerSystemError(error.getMessage());
        }
      };
    }
    return requestor;
  }

  private void close() {
    if (transceiver != null) {
      try {
        transceiver.close();
      } catch (IOException | RuntimeException e) {
        tap.comment("closing the transceiver: " + e);
      }
    }
    transceiver = null;
    requestor = null;
  }
}
