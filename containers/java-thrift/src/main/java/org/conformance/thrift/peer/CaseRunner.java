package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.conformance.peer.common.KeyedLog;

/**
 * The client role: for each cell of the plan, runs its cases of suites/thrift/data/cases.json in
 * order against the server under test and prints them as TAP 13 between "# cell" lines. Each case
 * opens its own connection (the calls of a sequence, and a one-way call and the call after it,
 * share one), so a case that breaks its connection on purpose cannot spoil the next.
 */
final class CaseRunner {
  /** The client's own per-call deadline, unless a case gives one. */
  static final int CALL_TIMEOUT_MILLIS = 5_000;
  /** Cells run side by side (run); each cell's cases stay in order. */
  private static final int CELLS_AT_ONCE = 2;
  private static final Map<Integer, String> APPLICATION_ERRORS = applicationErrorNames();
  private static final JsonNode NULL = Notation.JSON.nullNode();

  private final Idl idl;
  private final Codec codec;
  private final Notation notation;
  private final Map<String, JsonNode> catalogue = new HashMap<>();

  CaseRunner(Idl idl, File cases) throws IOException {
    this.idl = idl;
    this.codec = new Codec(idl);
    this.notation = new Notation(idl);
    for (JsonNode c : new ObjectMapper().readTree(cases).get("cases")) catalogue.put(c.get("id").asText(), c);
  }

  /** A case failed: what was expected and what happened. */
  static final class Mismatch extends Exception {
    private static final long serialVersionUID = 1L;
    final transient JsonNode expected;
    final transient JsonNode actual;

    Mismatch(String message, JsonNode expected, JsonNode actual) {
      super(message);
      this.expected = expected;
      this.actual = actual;
    }
  }

  /**
   * Runs CELLS_AT_ONCE cells side by side, each against its own server, and prints their TAP
   * blocks whole, in plan order. A cell mostly waits (on its server, or on a bound where a server
   * under test never answers or never closes), so two at a time nearly halve a plan's run.
   */
  int run(List<Plan.Endpoint> cells) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(CELLS_AT_ONCE);
    try {
      List<Future<String>> blocks = new ArrayList<>();
      for (Plan.Endpoint cell : cells) blocks.add(pool.submit(() -> runCell(cell)));
      for (Future<String> block : blocks) {
        try {
          System.out.print(block.get());
        } catch (ExecutionException e) {
          throw new IllegalStateException("a cell's run failed outside its cases", e.getCause());
        }
        System.out.flush();
      }
    } finally {
      pool.shutdownNow();
    }
    return 0;
  }

  /** One cell's TAP block; stderr lines of this thread carry the cell's key. */
  private String runCell(Plan.Endpoint cell) {
    KeyedLog.setKey(cell.key());
    StringBuilder out = new StringBuilder();
    out.append("# cell ").append(cell.key()).append(" begins\n");
    out.append("TAP version 13\n");
    out.append("1..").append(cell.cases().size()).append('\n');
    int n = 0;
    for (String id : cell.cases()) {
      n++;
      // When the case starts, in ms to the µs, on the host's real-time and monotonic clocks
      // (containers share both): the harness cuts what its server saw by the monotonic one.
      out.append("# case ").append(id).append(" begins ").append(instants()).append('\n');
      try {
        JsonNode c = catalogue.get(id);
        if (c == null) throw new Mismatch("no case " + id + " in cases.json", NULL, NULL);
        new CellCase(cell, c).run();
        out.append("ok ").append(n).append(" - ").append(id).append('\n');
      } catch (Exception | Error e) { // every failure is a TAP line, never an exit code
        System.err.println("case " + id + " failed: " + e);
        out.append("not ok ").append(n).append(" - ").append(id).append('\n');
        out.append(yaml(e)).append('\n');
      }
    }
    // When the last case ended, as the harness reads that case's own time.
    out.append("# cell ").append(cell.key()).append(" ends ").append(instants()).append('\n');
    return out.toString();
  }

  /** "<epoch ms> monotonic <ms>", three decimals each (System.nanoTime() reads CLOCK_MONOTONIC on Linux). */
  private static String instants() {
    Instant now = Instant.now();
    long monotonic = System.nanoTime();
    return String.format("%d.%03d monotonic %d.%03d", now.toEpochMilli(), now.getNano() / 1000 % 1000, monotonic / 1_000_000, monotonic / 1_000 % 1_000);
  }

  /** One case in one cell. */
  private final class CellCase {
    private final Plan.Endpoint cell;
    private final JsonNode c;
    private final int timeoutMillis;

    CellCase(Plan.Endpoint cell, JsonNode c) {
      this.cell = cell;
      this.c = c;
      // jsonTimeoutMillis, where given, bounds the calls of a cell whose protocol is a JSON one.
      if (cell.protocol().endsWith("json") && c.has("jsonTimeoutMillis")) this.timeoutMillis = c.get("jsonTimeoutMillis").intValue();
      else this.timeoutMillis = c.has("timeoutMillis") ? c.get("timeoutMillis").intValue() : CALL_TIMEOUT_MILLIS;
    }

    void run() throws Exception {
      String kind = c.get("kind").asText();
      switch (kind) {
        case "call" -> {
          try (Connection connection = connect(null, timeoutMillis)) {
            call(connection, c);
          }
        }
        case "oneway" -> {
          try (Connection connection = connect(null, timeoutMillis)) {
            call(connection, c);
            call(connection, c.get("then"));
          }
        }
        case "sequence" -> {
          try (Connection connection = connect(null, timeoutMillis)) {
            for (JsonNode step : c.get("calls")) call(connection, step);
          }
        }
        case "unknown-method" -> unknownMethod();
        case "seqid-echo" -> seqidEcho();
        case "mismatched-protocol" -> mismatchedProtocol();
        case "raw" -> new RawCase(cell, c, codec, idl).run(this::pingFresh);
        default -> throw new Mismatch("the Java peer has no procedure for case kind " + kind, NULL, NULL);
      }
    }

    private Connection connect(String writes, int millis) throws Exception {
      return Connection.open(cell, writes, millis);
    }

    private static Connection handshaken(Connection connection) throws Exception {
      try {
        connection.handshake();
        return connection;
      } catch (Exception e) {
        connection.close();
        throw e;
      }
    }

    // ---- one call and its expectation -------------------------------------------------------------

    private Idl.Function function(JsonNode spec) {
      return idl.function(spec.path("service").asText(Axes.CONFORMANCE), spec.get("method").asText());
    }

    private StructValue arguments(Idl.Function function, JsonNode args) {
      StructValue out = new StructValue(function.arguments());
      if (args == null) return out;
      for (var it = args.fields(); it.hasNext(); ) {
        var e = it.next();
        Idl.Field f = function.arguments().byName().get(e.getKey());
        if (f == null) throw new IllegalArgumentException(function.name() + " has no argument " + e.getKey());
        out.fields().put(f.id(), notation.value(f.type(), e.getValue()));
      }
      return out;
    }

    /** Makes one call as {@code spec} says, within the deadline, and checks what came back. */
    private void call(Connection connection, JsonNode spec) throws Exception {
      Idl.Function function = function(spec);
      StructValue arguments = arguments(function, spec.get("args"));
      Calls.Outcome outcome;
      try (Watchdog deadline = Watchdog.arm(timeoutMillis, connection::close)) {
        try {
          outcome = Calls.call(codec, connection, function, arguments, 0);
        } catch (TException e) {
          if (deadline.fired()) {
            throw new Mismatch(function.name() + ": no answer within " + timeoutMillis + " ms", spec.path("expect"),
                Notation.JSON.textNode(e.toString()));
          }
          throw e;
        }
      }
      if (outcome instanceof Calls.Nothing) return;
      check(function, spec.path("expect"), outcome);
    }

    private void check(Idl.Function function, JsonNode expect, Calls.Outcome outcome) throws Mismatch {
      ObjectNode actual = Notation.JSON.objectNode();
      switch (outcome) {
        case Calls.Returned r -> actual.set("response", notation.canonical(function.returns(), r.value()));
        case Calls.Declared d -> actual.set("exception", Notation.JSON.objectNode()
            .put("type", d.value().definition().name())
            .set("value", notation.canonical(new Idl.Type(Idl.Kind.STRUCT, d.value().definition().name(), null, null, null), d.value())));
        case Calls.ApplicationError a -> actual.set("applicationError", applicationError(a.error()));
        case Calls.Nothing n -> throw new Mismatch("no answer to a call that has one", expect, NULL);
      }
      JsonNode expected;
      if (expect.has("response")) {
        expected = Notation.JSON.objectNode().set("response", function.returns().kind() == Idl.Kind.VOID
            ? NULL : notation.canonical(function.returns(), notation.value(function.returns(), expect.get("response"))));
      } else if (expect.has("exception")) {
        String type = expect.get("exception").get("type").asText();
        Idl.Type exceptionType = new Idl.Type(Idl.Kind.STRUCT, type, null, null, null);
        expected = Notation.JSON.objectNode().set("exception", Notation.JSON.objectNode().put("type", type)
            .set("value", notation.canonical(exceptionType, notation.value(exceptionType, expect.get("exception").get("value")))));
      } else if (expect.has("applicationError")) {
        JsonNode want = expect.get("applicationError");
        // The message counts only where the case gives one.
        if (!want.has("message") && actual.has("applicationError")) ((ObjectNode) actual.get("applicationError")).remove("message");
        expected = Notation.JSON.objectNode().set("applicationError", want);
      } else {
        throw new Mismatch("the case has no expectation", expect, actual);
      }
      if (!expected.equals(actual)) throw new Mismatch("the answer differs", expected, actual);
    }

    // ---- the procedures that write messages by hand -----------------------------------------------

    /** Writes a CALL of {@code name} with an empty argument struct, as a generated client would. */
    private void writeEmptyCall(Connection connection, String name, int seqid) throws TException {
      TProtocol out = connection.requests(Axes.CONFORMANCE);
      out.writeMessageBegin(new TMessage(name, TMessageType.CALL, seqid));
      out.writeStructBegin(new TStruct(name + "_args"));
      out.writeFieldStop();
      out.writeStructEnd();
      out.writeMessageEnd();
      out.getTransport().flush();
    }

    private void unknownMethod() throws Exception {
      try (Connection connection = connect(null, timeoutMillis)) {
        TMessage reply;
        TApplicationException error;
        try (Watchdog deadline = Watchdog.arm(timeoutMillis, connection::close)) {
          writeEmptyCall(connection, c.get("method").asText(), 1);
          reply = connection.in.readMessageBegin();
          if (reply.type != TMessageType.EXCEPTION) {
            throw new Mismatch("the server did not answer with an exception", Notation.JSON.textNode("EXCEPTION"),
                Notation.JSON.objectNode().put("mtype", (int) reply.type));
          }
          error = TApplicationException.readFrom(connection.in);
          connection.in.readMessageEnd();
        }
        ObjectNode actual = applicationError(error);
        JsonNode expected = c.get("expect").get("applicationError");
        if (!expected.has("message")) actual.remove("message");
        if (!expected.equals(actual)) throw new Mismatch("TApplicationException differs", expected, actual);
        call(connection, c.get("then"));
      }
    }

    private void seqidEcho() throws Exception {
      try (Connection connection = connect(null, timeoutMillis)) {
        for (JsonNode id : c.get("seqids")) {
          int seqid = id.intValue();
          TMessage reply;
          try (Watchdog deadline = Watchdog.arm(timeoutMillis, connection::close)) {
            writeEmptyCall(connection, "ping", seqid);
            reply = connection.in.readMessageBegin();
            TProtocolUtil.skip(connection.in, TType.STRUCT, Codec.MAX_DEPTH);
            connection.in.readMessageEnd();
          }
          if (reply.type != TMessageType.REPLY || reply.seqid != seqid) {
            throw new Mismatch("reply sequence id differs",
                Notation.JSON.objectNode().put("mtype", (int) TMessageType.REPLY).put("seqid", seqid),
                Notation.JSON.objectNode().put("mtype", (int) reply.type).put("seqid", reply.seqid));
          }
        }
      }
    }

    private void mismatchedProtocol() throws Exception {
      int millis = c.get("withinSeconds").intValue() * 1000;
      Idl.Function function = function(c);
      StructValue arguments = arguments(function, c.get("args"));
      Calls.Outcome outcome;
      // Before the clock: the server answers a correct call (so a failure below is the bad request's),
      // and this JVM has run the exchange's code once, the cell's transport and reader in that ping,
      // the other protocol's writer into memory. Under the release grid's load (8 cold JVMs on 2
      // cores) a JVM's first run of that code alone could take the 2 s.
      pingFresh();
      rehearseRequest(c.get("writes").asText(), function, arguments);
      // The bound is the server's: the clock starts once the connection (TLS included) is up.
      try (Connection connection = handshaken(connect(c.get("writes").asText(), millis));
           Watchdog deadline = Watchdog.arm(millis, connection::close)) {
        long started = System.nanoTime();
        try {
          outcome = Calls.call(codec, connection, function, arguments, 0);
        } catch (Exception e) {
          if (deadline.fired()) {
            throw new Mismatch("no error within " + millis + " ms: the exchange hung", Notation.JSON.textNode("a clear error"),
                Notation.JSON.textNode(e.toString()));
          }
          System.err.printf("mismatched-protocol: the expected error after %.3f s: %s%n", (System.nanoTime() - started) / 1e9, e);
          pingFresh();
          return;
        }
      }
      if (outcome instanceof Calls.ApplicationError a) {
        System.err.println("mismatched-protocol: the expected TApplicationException: " + a.error().getMessage());
        pingFresh();
        return;
      }
      throw new Mismatch("the server answered a request in the wrong protocol", Notation.JSON.textNode("a clear error"),
          Notation.JSON.textNode(String.valueOf(outcome)));
    }

    /** Writes a call in plain {@code protocol} into memory, so its writer's code has run once. */
    private void rehearseRequest(String protocol, Idl.Function function, StructValue arguments) throws Exception {
      Calls.send(codec, Axes.plain(protocol).getProtocol(new TMemoryBuffer(256)), function, arguments, 0);
    }

    /** The server must still answer a correct call on a new connection. */
    void pingFresh() throws Mismatch {
      try (Connection connection = connect(null, CALL_TIMEOUT_MILLIS);
           Watchdog deadline = Watchdog.arm(CALL_TIMEOUT_MILLIS, connection::close)) {
        Calls.Outcome outcome = Calls.call(codec, connection, idl.function(Axes.CONFORMANCE, "ping"),
            new StructValue(idl.function(Axes.CONFORMANCE, "ping").arguments()), 0);
        if (!(outcome instanceof Calls.Returned)) throw new IllegalStateException("ping answered " + outcome);
      } catch (Exception e) {
        throw new Mismatch("the server does not answer a correct ping on a new connection: " + e,
            Notation.JSON.textNode("ping answered"), Notation.JSON.textNode(e.toString()));
      }
    }
  }

  private static ObjectNode applicationError(TApplicationException error) {
    ObjectNode out = Notation.JSON.objectNode();
    out.put("type", APPLICATION_ERRORS.getOrDefault(error.getType(), String.valueOf(error.getType())));
    out.put("message", error.getMessage());
    return out;
  }

  // ---- TAP ----------------------------------------------------------------------------------------

  private static String yaml(Throwable error) {
    StringBuilder out = new StringBuilder("  ---\n");
    String message = error.getMessage() == null ? error.toString() : error.getMessage();
    out.append("  message: ").append(Notation.JSON.textNode(message)).append('\n');
    if (error instanceof Mismatch m) {
      out.append("  expected: ").append(shorten(m.expected)).append('\n');
      out.append("  actual: ").append(shorten(m.actual)).append('\n');
    } else {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      String text = trace.toString();
      out.append("  expected: null\n");
      out.append("  actual: ").append(Notation.JSON.textNode(error.toString())).append('\n');
      out.append("  trace: ").append(Notation.JSON.textNode(text.length() > 2000 ? text.substring(0, 2000) : text)).append('\n');
    }
    return out.append("  ...").toString();
  }

  /** JSON is YAML; a value too long for a TAP line (the 1 MiB cases) is cut, and then quoted. */
  private static String shorten(JsonNode value) {
    String text = String.valueOf(value);
    return text.length() <= 4000 ? text : Notation.JSON.textNode(text.substring(0, 4000) + "... (" + text.length() + " chars)").toString();
  }

  private static Map<Integer, String> applicationErrorNames() {
    Map<Integer, String> names = new HashMap<>();
    for (Field f : TApplicationException.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        try {
          names.put(f.getInt(null), f.getName());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return names;
  }
}
