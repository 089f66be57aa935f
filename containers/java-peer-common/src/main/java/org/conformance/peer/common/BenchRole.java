package org.conformance.peer.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bench role of the Java peers (bench/README.md; the line protocol is bench/protocol.ts): one
 * JSON command per line on stdin, one JSON answer per line on stdout. "serve" starts listeners,
 * "run" drives a closed loop of echo calls for a given time and reports how many completed, "cpu"
 * reports the process's CPU time, "exit" ends the process. java-avro and java-thrift share this
 * class so that both are measured by the same loop; what is a peer's own (its servers, its client,
 * one call) it supplies as a {@link Peer}.
 *
 * A run opens "connections" clients and puts "inflight" threads on each, every one making blocking
 * calls one after the other, as a Java user of the library would write it (a peer whose client
 * carries one call at a time refuses another inflight).
 */
public final class BenchRole {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WARMUP = 0, MEASURE = 1, STOP = 2;

  private BenchRole() {}

  /** A peer's own part of the role. */
  public interface Peer {
    /** Starts a serve command's listeners with the peer's own servers; each that cannot start goes into failed, key -> why. */
    void serve(JsonNode listeners, ObjectNode failed) throws Exception;

    /** Opens one client (one connection) of the peer's own to a run command's target, for echo calls of the payload. */
    Client open(JsonNode command, Payload payload) throws Exception;
  }

  /** One connection of a run. */
  public interface Client {
    /** A caller for one thread: a new one per thread, as it may keep state of its own (a request, a sequence id). */
    Call caller();

    /** Ends the connection after the run; closing is not measured, so it throws nothing. */
    void close();
  }

  /** One echo call: throws when it fails or the answer differs from the request. */
  @FunctionalInterface
  public interface Call {
    void echo() throws Exception;
  }

  /** What every call sends and its answer must equal: the int 42, or the bytes of bench/protocol.ts. */
  public record Payload(boolean isInt, Object value) {
    static Payload of(JsonNode payload) {
      if (payload.path("kind").asText().equals("int")) return new Payload(true, 42);
      byte[] bytes = new byte[payload.path("size").asInt()];
      for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31 + 7); // the pattern every bench client sends
      return new Payload(false, ByteBuffer.wrap(bytes));
    }
  }

  /** The role's entry point: makes the peer's part (setup that may fail), answers commands, and ends the JVM. */
  public static void main(Callable<Peer> setup) {
    try {
      // The JDK keeps 5 idle HTTP connections per host by default (Avro's HttpTransceiver and
      // libthrift's THttpClient use HttpURLConnection): with 32 threads the rest would connect anew
      // for every call. A user with 32 concurrent callers raises it; so do we.
      System.setProperty("http.maxConnections", "64");
      answerCommands(setup.call());
    } catch (Exception e) {
      System.err.println("bench role failed: " + e);
      e.printStackTrace();
      Runtime.getRuntime().halt(1);
    }
  }

  private static void answerCommands(Peer peer) throws Exception {
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
          case "serve" -> peer.serve(command.path("listeners"), answer.putObject("failed"));
          case "run" -> run(peer, command, answer);
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

  private static void run(Peer peer, JsonNode command, ObjectNode answer) throws Exception {
    int timeout = command.path("timeoutMs").asInt(20_000);
    int connections = command.path("connections").asInt(1);
    int inflight = command.path("inflight").asInt(1);
    Payload payload = Payload.of(command.path("payload"));
    List<Client> clients = new ArrayList<>();
    for (int c = 0; c < connections; c++) clients.add(peer.open(command, payload));
    AtomicInteger phase = new AtomicInteger(WARMUP);
    LongAdder calls = new LongAdder();
    LongAdder allCalls = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      for (int k = 0; k < inflight; k++) {
        Call call = clients.get(c).caller();
        Thread thread = new Thread(() -> {
          try {
            while (phase.get() != STOP && failure.get() == null) {
              call.echo();
              allCalls.increment();
              if (phase.get() == MEASURE) calls.increment();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "bench-" + c + "-" + k);
        thread.setDaemon(true);
        threads.add(thread);
      }
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
    long drainBy = System.nanoTime() + timeout * 1_000_000L; // monotonic, as `ended` above
    for (Thread thread : threads) thread.join(Math.max(1, (drainBy - System.nanoTime()) / 1_000_000L));
    double cpu = cpuSeconds() - cpuBefore;
    clients.forEach(Client::close);
    if (failure.get() != null) throw new IllegalStateException("a call failed: " + failure.get(), failure.get());
    if (threads.stream().anyMatch(Thread::isAlive)) throw new IllegalStateException("calls still outstanding " + timeout + " ms after the end");
    answer.put("calls", counted).put("seconds", (ended - started) / 1e9).put("totalCalls", allCalls.sum()).put("cpuSeconds", cpu);
  }

  /** CPU time of this process so far, every thread (those that ended too: the JIT compilers and the collector count). */
  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** Sleeps, waking early when a call failed (the run is void then). */
  private static void sleepWatching(long millis, AtomicReference<Throwable> failure) throws InterruptedException {
    long until = System.nanoTime() + millis * 1_000_000L;
    while (failure.get() == null) {
      long left = (until - System.nanoTime()) / 1_000_000L;
      if (left <= 0) return;
      Thread.sleep(Math.min(left, 50));
    }
  }
}
