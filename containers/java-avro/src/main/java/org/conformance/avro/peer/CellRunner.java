package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Protocol;
import org.conformance.peer.common.KeyedLog;

/**
 * Runs the cases of one plan cell and prints its TAP block. Plain call cases share one connection,
 * as a user's client would; the kinds about connections (concurrent, pipelined, oneway-interleaved,
 * reconnect, many-clients) and client copies of the protocol open their own.
 */
final class CellRunner {
  private static final List<String> KINDS =
      List.of("call", "sequence", "oneway", "concurrent", "pipelined", "oneway-interleaved", "reconnect", "many-clients");

  private final Plan.Cell cell;
  private final Map<String, JsonNode> catalogue = new LinkedHashMap<>();
  private final Tap tap;
  private Connection shared;

  CellRunner(Plan.Cell cell, JsonNode cases, PrintStream out) {
    this.cell = cell;
    for (JsonNode c : cases.path("cases")) catalogue.put(c.path("id").asText(), c);
    this.tap = new Tap(out, cell.key(), cell.cases().size());
  }

  void run() {
    KeyedLog.setKey(cell.key());
    tap.comment("java-avro client (Avro " + org.apache.avro.Schema.class.getPackage().getImplementationVersion() + "): " + cell.transport()
        + " to " + cell.serverKind() + " at " + cell.host() + ":" + cell.port() + ", protocol " + cell.protocol());
    for (String id : cell.cases()) {
      tap.begin(id);
      JsonNode testCase = catalogue.get(id);
      if (testCase == null) {
        tap.notOk(id, new Failure("no case \"" + id + "\" in cases.json"));
        continue;
      }
      String kind = testCase.path("kind").asText();
      if (!KINDS.contains(kind)) {
        tap.skip(id, "kind \"" + kind + "\" is a TypeScript-only procedure");
        continue;
      }
      try {
        checkApplies(testCase);
        runCase(testCase);
        tap.ok(id);
      } catch (Failure failure) {
        tap.notOk(id, failure);
        // A failed case may leave the shared connection out of step (an answer nobody read): the
        // next case starts on a fresh one, so that one failure does not fail the next.
        closeShared();
      } catch (Notation.NotationException e) {
        tap.notOk(id, new Failure("the case does not fit the client's protocol: " + e.getMessage()));
      } catch (RuntimeException e) {
        KeyedLog.log("case " + id + ": " + e);
        tap.notOk(id, new Failure(e.toString()));
        closeShared();
      }
    }
    closeShared();
    tap.end();
  }

  private void checkApplies(JsonNode testCase) throws Failure {
    String protocol = testCase.path("protocol").asText();
    if (!protocol.equals(cell.protocol())) throw new Failure("the case is for protocol " + protocol + ", the cell speaks " + cell.protocol());
    JsonNode directions = testCase.get("directions");
    if (directions != null && !contains(directions, "ts-server"))
      throw new Failure("the case is not run by a reference client (directions " + directions + ")");
    JsonNode transports = testCase.get("transports");
    if (transports != null && !contains(transports, cell.transport()))
      throw new Failure("the case does not apply to transport " + cell.transport() + " (transports " + transports + ")");
  }

  private static boolean contains(JsonNode array, String text) {
    for (JsonNode item : array) if (item.asText().equals(text)) return true;
    return false;
  }

  // ---------------------------------------------------------------- connections

  private Protocol protocolOf(JsonNode testCase) throws Failure {
    String name = testCase.path("clientProtocol").asText(cell.protocol());
    try {
      return Protocols.load(name);
    } catch (RuntimeException e) {
      throw new Failure("cannot load the client's protocol " + name + ": " + e.getMessage());
    }
  }

  private Connection open(Protocol protocol) throws Failure {
    try {
      return new Connection(cell, protocol);
    } catch (IOException | RuntimeException e) {
      throw new Failure("could not connect with " + cell.transport() + " to " + cell.host() + ":" + cell.port() + ": " + e);
    }
  }

  private Connection shared() throws Failure {
    if (shared == null) shared = open(Protocols.load(cell.protocol()));
    return shared;
  }

  private void closeShared() {
    if (shared != null) shared.close();
    shared = null;
  }

  private interface Body {
    void run(Connection connection) throws Failure;
  }

  /** body on the cell's shared connection, or on a fresh one for a client copy of the protocol. */
  private void withConnection(JsonNode testCase, Body body) throws Failure {
    if (!testCase.has("clientProtocol")) {
      body.run(shared());
      return;
    }
    try (Connection connection = open(protocolOf(testCase))) {
      body.run(connection);
    }
  }

  /** One call bounded in time; a client-side failure drops the shared connection (its state is unknown). */
  private void check(Connection connection, JsonNode step) throws Failure {
    Protocol.Message message = Checks.message(connection.protocol, step.path("message").asText());
    Connection.Outcome outcome = connection.callBounded(message.getName(), Checks.request(message, step.path("request")));
    Checks.verify(connection.protocol, message, step.path("expect"), outcome);
  }

  private void oneWay(Connection connection, JsonNode step) throws Failure {
    Protocol.Message message = Checks.message(connection.protocol, step.path("message").asText());
    Checks.verifyOneWay(message, connection.callBounded(message.getName(), Checks.request(message, step.path("request"))));
  }

  // ---------------------------------------------------------------- kinds

  private void runCase(JsonNode testCase) throws Failure {
    switch (testCase.path("kind").asText()) {
      case "call" -> withConnection(testCase, connection -> check(connection, testCase));
      case "sequence" -> withConnection(testCase, connection -> {
        int i = 0;
        for (JsonNode step : testCase.path("calls")) {
          try {
            check(connection, step);
          } catch (Failure f) {
            throw f.within("call " + i + " of the sequence");
          }
          i++;
        }
      });
      case "oneway" -> withConnection(testCase, connection -> {
        oneWay(connection, testCase);
        JsonNode then = testCase.path("then");
        var step = JsonNodeFactory.instance.objectNode();
        step.set("message", then.path("message"));
        step.set("request", then.path("request"));
        step.set("expect", JsonNodeFactory.instance.objectNode().set("response", then.path("response")));
        try {
          check(connection, step);
        } catch (Failure f) {
          throw f.within("then");
        }
      });
      case "concurrent" -> concurrent(testCase);
      case "pipelined" -> pipelined(testCase);
      case "oneway-interleaved" -> interleaved(testCase);
      case "reconnect" -> reconnect(testCase);
      case "many-clients" -> manyClients(testCase);
      default -> throw new Failure("unknown kind " + testCase.path("kind"));
    }
  }

  /** count calls from count threads at once on one fresh connection (the transceiver queues or pipelines them). */
  private void concurrent(JsonNode testCase) throws Failure {
    int count = testCase.path("count").asInt();
    try (Connection connection = open(protocolOf(testCase))) {
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        JsonNode step = Checks.fill(testCase.path("call"), Map.of("{call}", Integer.toString(i)));
        Protocol.Message message = Checks.message(connection.protocol, step.path("message").asText());
        var request = Checks.request(message, step.path("request"));
        jobs.add(() -> Checks.verify(connection.protocol, message, step.path("expect"), connection.call(message.getName(), request)));
      }
      atOnce(jobs, Connection.CALL_TIMEOUT_MILLIS, connection::close, "call");
    }
  }

  /** Calls written one after another on an established Netty connection without waiting; answers matched by serial. */
  private void pipelined(JsonNode testCase) throws Failure {
    try (Connection connection = open(protocolOf(testCase))) {
      try {
        check(connection, testCase.path("establish"));
      } catch (Failure f) {
        throw f.within("establish");
      }
      List<JsonNode> steps = new ArrayList<>();
      testCase.path("calls").forEach(steps::add);
      Connection.Outcome[] outcomes = new Connection.Outcome[steps.size()];
      List<Integer> arrival = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch answered = new CountDownLatch(steps.size());
      for (int i = 0; i < steps.size(); i++) {
        int index = i;
        Protocol.Message message = Checks.message(connection.protocol, steps.get(i).path("message").asText());
        connection.callAsync(message.getName(), Checks.request(message, steps.get(i).path("request")), outcome -> {
          outcomes[index] = outcome;
          arrival.add(index);
          answered.countDown();
        });
      }
      try {
        if (!answered.await(Connection.CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS))
          throw new Failure("answers to " + arrival + " of " + steps.size() + " pipelined calls arrived within "
              + Connection.CALL_TIMEOUT_MILLIS + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Failure("interrupted");
      }
      for (int i = 0; i < steps.size(); i++) {
        try {
          Checks.verify(connection.protocol, Checks.message(connection.protocol, steps.get(i).path("message").asText()),
              steps.get(i).path("expect"), outcomes[i]);
        } catch (Failure f) {
          throw f.within("pipelined call " + i);
        }
      }
      JsonNode wanted = testCase.path("answerOrder");
      var actual = JsonNodeFactory.instance.arrayNode();
      synchronized (arrival) {
        arrival.forEach(actual::add);
      }
      if (!wanted.equals(actual)) throw new Failure("the answers arrived in another order than answerOrder", wanted, actual);
    }
  }

  /** One-way calls between two-way calls on one connection; then the note must be one of those sent. */
  private void interleaved(JsonNode testCase) throws Failure {
    try (Connection connection = open(protocolOf(testCase))) {
      int i = 0;
      for (JsonNode step : testCase.path("calls")) {
        try {
          if (step.has("expect")) check(connection, step);
          else oneWay(connection, step);
        } catch (Failure f) {
          throw f.within("call " + i);
        }
        i++;
      }
      JsonNode then = testCase.path("then");
      Protocol.Message message = Checks.message(connection.protocol, then.path("message").asText());
      Connection.Outcome outcome = connection.callBounded(message.getName(), Checks.request(message, then.path("request")));
      List<String> problems = new ArrayList<>();
      for (JsonNode option : then.path("responseOneOf")) {
        try {
          Checks.verify(connection.protocol, message, JsonNodeFactory.instance.objectNode().set("response", option), outcome);
          return;
        } catch (Failure f) {
          problems.add(f.getMessage());
        }
      }
      throw new Failure("then " + message.getName() + ": the answer is none of responseOneOf (" + problems.get(0) + ")",
          then.path("responseOneOf"), outcome.response() == null && outcome.error() != null
              ? JsonNodeFactory.instance.textNode(outcome.error().getMessage()) : Notation.render(message.getResponse(), outcome.response()));
    }
  }

  /** Each list of calls on a new connection, closed by the client before the next one opens. */
  private void reconnect(JsonNode testCase) throws Failure {
    int index = 0;
    for (JsonNode calls : testCase.path("connections")) {
      try (Connection connection = open(protocolOf(testCase))) {
        int i = 0;
        for (JsonNode step : calls) {
          try {
            check(connection, step);
          } catch (Failure f) {
            throw f.within("connection " + index + " call " + i);
          }
          i++;
        }
      }
      index++;
    }
  }

  /** clients threads at once, each with its own connection, each making its calls one after another. */
  private void manyClients(JsonNode testCase) throws Failure {
    int clients = testCase.path("clients").asInt();
    int perClient = testCase.path("callsPerClient").asInt();
    Protocol protocol = protocolOf(testCase);
    List<Connection> opened = Collections.synchronizedList(new ArrayList<>());
    List<Job> jobs = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      jobs.add(() -> {
        Connection connection = open(protocol);
        opened.add(connection);
        try {
          for (int i = 0; i < perClient; i++) {
            JsonNode step = Checks.fill(testCase.path("call"), Map.of("{client}", Integer.toString(client), "{call}", Integer.toString(i)));
            Protocol.Message message = Checks.message(protocol, step.path("message").asText());
            try {
              Checks.verify(protocol, message, step.path("expect"), connection.call(message.getName(), Checks.request(message, step.path("request"))));
            } catch (Failure f) {
              throw f.within("call " + i);
            }
          }
        } finally {
          connection.close();
        }
      });
    }
    atOnce(jobs, (long) Connection.CALL_TIMEOUT_MILLIS * (perClient + 1), () -> {
      synchronized (opened) {
        opened.forEach(Connection::close);
      }
    }, "client");
  }

  private interface Job {
    void run() throws Failure;
  }

  /**
   * Runs the jobs on threads released together; fails naming the first job that failed, or the jobs
   * still running at the deadline (whose connections are then closed, and which are left behind).
   */
  private void atOnce(List<Job> jobs, long deadlineMillis, Runnable onTimeout, String label) throws Failure {
    CountDownLatch start = new CountDownLatch(1);
    String key = KeyedLog.key();
    List<Future<Failure>> futures = new ArrayList<>();
    for (Job job : jobs) {
      futures.add(Connection.POOL.submit(() -> {
        KeyedLog.setKey(key);
        start.await();
        try {
          job.run();
          return null;
        } catch (Failure f) {
          return f;
        } catch (RuntimeException e) {
          return new Failure(e.toString());
        }
      }));
    }
    start.countDown();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
    List<Integer> missing = new ArrayList<>();
    List<Integer> failed = new ArrayList<>();
    Failure first = null;
    for (int i = 0; i < futures.size(); i++) {
      try {
        Failure f = futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (f != null) {
          failed.add(i);
          if (first == null) first = f.within(label + " " + i);
        }
      } catch (java.util.concurrent.TimeoutException e) {
        missing.add(i);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Failure("interrupted");
      } catch (java.util.concurrent.ExecutionException e) {
        failed.add(i);
        if (first == null) first = new Failure(label + " " + i + ": " + e.getCause());
      }
    }
    if (!missing.isEmpty()) {
      onTimeout.run();
      throw new Failure(missing.size() + " of " + jobs.size() + " " + label + "s had no answer " + deadlineMillis + " ms after they were issued ("
          + label + "s " + missing.subList(0, Math.min(10, missing.size())) + ")");
    }
    if (first != null) throw new Failure(failed.size() + " of " + jobs.size() + " " + label + "s failed; " + first.getMessage(), first.expected, first.actual);
  }
}
