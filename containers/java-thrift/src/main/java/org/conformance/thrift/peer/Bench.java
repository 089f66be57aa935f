package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bench role (bench/README.md): one JSON command per line on stdin, one JSON answer per line on
 * stdout. "serve" starts listeners on this peer's libthrift servers (PeerServer, as the server role
 * does); "run" drives a closed loop of echo calls with libthrift's transports and protocols (the
 * client role's Connection and Calls) for a given time and reports how many completed. Each
 * in-flight call is one thread with its own connection, as libthrift clients are not shared.
 */
final class Bench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IDL = System.getenv().getOrDefault("THRIFT_CONFORMANCE_IDL", "/opt/peer/conformance.json");
  private static final int WARMUP = 0, MEASURE = 1, STOP = 2;

  private Bench() {}

  /** The role's entry point; it ends the JVM. */
  static void main(String[] args) {
    try {
      serveCommands();
    } catch (Exception e) {
      System.err.println("bench role failed: " + e);
      e.printStackTrace();
      Runtime.getRuntime().halt(1);
    }
  }

  private static void serveCommands() throws Exception {
    // The JDK keeps 5 idle HTTP connections per host by default (THttpClient uses HttpURLConnection):
    // with 32 threads the rest would connect anew for every call. A user with 32 callers raises it.
    System.setProperty("http.maxConnections", "64");
    Idl idl = Idl.read(new File(IDL));
    Codec codec = new Codec(idl);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    out.println("{\"ready\":true}");
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      JsonNode command = JSON.readTree(line);
      ObjectNode answer = JSON.createObjectNode();
      answer.set("id", command.get("id"));
      try {
        switch (command.path("op").asText()) {
          case "serve" -> serve(command, answer, idl, codec);
          case "run" -> run(command, answer, idl, codec);
          case "cpu" -> answer.put("cpuSeconds", cpuSeconds());
          case "exit" -> {
            out.println(JSON.writeValueAsString(answer.put("ok", true)));
            Runtime.getRuntime().halt(0);
          }
          default -> throw new IllegalArgumentException("unknown op " + command.path("op"));
        }
        answer.put("ok", true);
      } catch (Exception | LinkageError e) {
        answer.put("ok", false).put("error", e.toString());
      }
      out.println(JSON.writeValueAsString(answer));
    }
    Runtime.getRuntime().halt(0);
  }

  private static Plan.Endpoint endpoint(JsonNode node) {
    return new Plan.Endpoint(node.path("key").asText("bench"), node.path("transport").asText(), node.path("protocol").asText(),
        "tcp", node.hasNonNull("serverKind") ? node.get("serverKind").asText() : null,
        node.path("host").asText("127.0.0.1"), node.path("port").asInt(), null, null, List.of());
  }

  private static void serve(JsonNode command, ObjectNode answer, Idl idl, Codec codec) throws InterruptedException {
    ObjectNode failed = answer.putObject("failed");
    for (JsonNode node : command.path("listeners")) {
      Plan.Endpoint l = endpoint(node);
      try {
        PeerServer.Running running = PeerServer.start(l, idl, codec);
        Thread thread = new Thread(() -> {
          try {
            running.serve();
          } catch (Exception e) {
            Log.error("stopped serving: " + e);
          }
        }, l.key());
        thread.setDaemon(true);
        thread.start();
        long until = System.currentTimeMillis() + 20_000;
        while (!running.serving() && System.currentTimeMillis() < until) Thread.sleep(2);
        if (!running.serving()) failed.put(l.key(), "not serving within 20 s");
      } catch (Exception e) {
        failed.put(l.key(), e.toString());
      }
    }
  }

  private static void run(JsonNode command, ObjectNode answer, Idl idl, Codec codec) throws Exception {
    Plan.Endpoint target = endpoint(command.path("target"));
    int timeout = command.path("timeoutMs").asInt(20_000);
    int threadsPerConnection = command.path("inflight").asInt(1);
    if (threadsPerConnection != 1) throw new IllegalArgumentException("a libthrift connection carries one call at a time (inflight 1)");
    int connections = command.path("connections").asInt(1);
    JsonNode payload = command.path("payload");
    boolean small = payload.path("kind").asText().equals("int");
    Idl.Function function = idl.function(Axes.CONFORMANCE, small ? "echoI32" : "echoBinary");
    Object value;
    if (small) {
      value = 42;
    } else {
      byte[] bytes = new byte[payload.path("size").asInt()];
      for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31 + 7); // the pattern every bench client sends
      value = ByteBuffer.wrap(bytes);
    }
    List<Connection> opened = new ArrayList<>();
    for (int c = 0; c < connections; c++) opened.add(Connection.open(target, null, timeout));
    AtomicInteger phase = new AtomicInteger(WARMUP);
    LongAdder calls = new LongAdder();
    LongAdder allCalls = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (Connection connection : opened) {
      StructValue arguments = new StructValue(function.arguments()).set("value", value);
      Thread thread = new Thread(() -> {
        int seqid = 0;
        try {
          while (phase.get() != STOP && failure.get() == null) {
            Calls.Outcome outcome = Calls.call(codec, connection, function, arguments, ++seqid);
            if (!(outcome instanceof Calls.Returned returned) || !value.equals(returned.value()))
              throw new IllegalStateException("the echo differs from the request: " + outcome);
            allCalls.increment();
            if (phase.get() == MEASURE) calls.increment();
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      thread.setDaemon(true);
      threads.add(thread);
    }
    double cpuBefore = cpuSeconds();
    threads.forEach(Thread::start);
    sleepWatching(command.path("warmupMs").asLong(300), failure);
    long started = System.nanoTime();
    phase.set(MEASURE);
    sleepWatching(command.path("durationMs").asLong(1000), failure);
    phase.set(STOP);
    long ended = System.nanoTime();
    long counted = calls.sum();
    long drainBy = System.currentTimeMillis() + timeout;
    for (Thread thread : threads) thread.join(Math.max(1, drainBy - System.currentTimeMillis()));
    double cpu = cpuSeconds() - cpuBefore;
    for (Connection connection : opened) connection.close();
    if (failure.get() != null) throw new IllegalStateException("a call failed: " + failure.get(), failure.get());
    if (threads.stream().anyMatch(Thread::isAlive)) throw new IllegalStateException("calls still outstanding " + timeout + " ms after the end");
    answer.put("calls", counted).put("seconds", (ended - started) / 1e9).put("totalCalls", allCalls.sum()).put("cpuSeconds", cpu);
  }

  /** CPU time of this process so far, every thread (those that ended too). */
  static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** Sleeps, waking early when a call failed (the run is void then). */
  private static void sleepWatching(long millis, AtomicReference<Throwable> failure) throws InterruptedException {
    long until = System.currentTimeMillis() + millis;
    while (failure.get() == null) {
      long left = until - System.currentTimeMillis();
      if (left <= 0) return;
      Thread.sleep(Math.min(left, 50));
    }
  }
}
