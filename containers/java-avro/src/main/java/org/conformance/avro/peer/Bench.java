package org.conformance.avro.peer;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.Protocol;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.ipc.Transceiver;
import org.apache.avro.ipc.generic.GenericRequestor;

/**
 * The bench role (bench/README.md): one JSON command per line on stdin, one JSON answer per line on
 * stdout. "serve" starts listeners with this peer's own servers and responder (as the server role
 * does); "run" drives a closed loop of echo calls with Avro's own GenericRequestor and transceivers
 * (as the client role does) for a given time and reports how many completed. Each in-flight call
 * is one thread making blocking calls, as a Java user of avro-ipc would write it; on Netty several
 * threads share one transceiver (it matches answers by serial), elsewhere each has its own.
 */
final class Bench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Object> SERVERS = new ArrayList<>();

  private Bench() {}

  static void main(String[] args) throws Exception {
    // The JDK keeps 5 idle HTTP connections per host by default: with 32 threads the rest would
    // connect anew for every call. A user with 32 concurrent callers raises it; so do we.
    System.setProperty("http.maxConnections", "64");
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
          case "serve" -> serve(command, answer);
          case "run" -> run(command, answer);
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

  private static void serve(JsonNode command, ObjectNode answer) {
    ObjectNode failed = answer.putObject("failed");
    for (JsonNode node : command.path("listeners")) {
      Plan.Listener l = Plan.listener(node);
      try {
        Protocol protocol = Protocols.load(l.protocol());
        SERVERS.add(Transports.startServer(l.transport(), new ConformanceResponder(protocol), l.host(), l.port()));
      } catch (Exception e) {
        failed.put(l.key(), e.toString());
      }
    }
  }

  /** The request every call sends, and the value the answer must equal. */
  private record Payload(String message, Object value) {
    static Payload of(JsonNode payload) {
      if (payload.path("kind").asText().equals("int")) return new Payload("echoInt", 42);
      int size = payload.path("size").asInt();
      byte[] bytes = new byte[size];
      for (int i = 0; i < size; i++) bytes[i] = (byte) (i * 31 + 7); // the pattern every bench client sends
      return new Payload("echoBytes", ByteBuffer.wrap(bytes));
    }
  }

  private static final int WARMUP = 0, MEASURE = 1, STOP = 2;

  private static void run(JsonNode command, ObjectNode answer) throws Exception {
    JsonNode target = command.path("target");
    String transport = target.path("transport").asText();
    String host = target.path("host").asText("127.0.0.1");
    int port = target.path("port").asInt();
    int timeout = command.path("timeoutMs").asInt(20_000);
    int connections = command.path("connections").asInt(1);
    int inflight = command.path("inflight").asInt(1);
    Protocol protocol = Protocols.load(target.path("protocol").asText("conformance"));
    Payload payload = Payload.of(command.path("payload"));
    Protocol.Message message = protocol.getMessages().get(payload.message());
    List<Transceiver> transceivers = new ArrayList<>();
    List<GenericRequestor> requestors = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Transceiver t = Transports.open(transport, host, port, timeout);
      transceivers.add(t);
      requestors.add(new GenericRequestor(protocol, t));
    }
    AtomicInteger phase = new AtomicInteger(WARMUP);
    LongAdder calls = new LongAdder();
    LongAdder allCalls = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      GenericRequestor requestor = requestors.get(c);
      for (int k = 0; k < inflight; k++) {
        GenericRecord request = new GenericData.Record(message.getRequest());
        request.put("value", payload.value());
        Thread thread = new Thread(() -> {
          try {
            while (phase.get() != STOP && failure.get() == null) {
              Object answerValue = requestor.request(payload.message(), request);
              if (!payload.value().equals(answerValue))
                throw new IllegalStateException("the echo differs from the request (" + describe(answerValue) + ")");
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
    long drainBy = System.currentTimeMillis() + timeout;
    for (Thread thread : threads) thread.join(Math.max(1, drainBy - System.currentTimeMillis()));
    double cpu = cpuSeconds() - cpuBefore;
    for (Transceiver t : transceivers) {
      try {
        t.close();
      } catch (Exception ignored) {
        // closing is not measured; a transceiver that fails to close changes nothing here
      }
    }
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

  private static String describe(Object value) {
    if (value instanceof ByteBuffer b) return "bytes of length " + b.remaining();
    return String.valueOf(value);
  }
}
