package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.util.List;
import org.conformance.peer.common.BenchRole;
import org.conformance.peer.common.KeyedLog;

/**
 * This peer's part of the bench role (the command loop and the closed loop are BenchRole, in
 * ../java-peer-common, shared with java-avro): "serve" starts listeners on this peer's libthrift
 * servers (PeerServer, as the server role does); a run's clients are libthrift's transports and
 * protocols (the client role's Connection and Calls), one thread each, as libthrift clients are not
 * shared.
 */
final class Bench implements BenchRole.Peer {
  private static final String IDL = System.getenv().getOrDefault("THRIFT_CONFORMANCE_IDL", "/opt/peer/conformance.json");

  private final Idl idl;
  private final Codec codec;

  private Bench(Idl idl) {
    this.idl = idl;
    this.codec = new Codec(idl);
  }

  /** The role's entry point; it ends the JVM. */
  static void main(String[] args) {
    BenchRole.main(() -> new Bench(Idl.read(new File(IDL))));
  }

  private static Plan.Endpoint endpoint(JsonNode node) {
    return new Plan.Endpoint(node.path("key").asText("bench"), node.path("transport").asText(), node.path("protocol").asText(),
        "tcp", node.hasNonNull("serverKind") ? node.get("serverKind").asText() : null,
        node.path("host").asText("127.0.0.1"), node.path("port").asInt(), null, null, List.of());
  }

  @Override
  public void serve(JsonNode listeners, ObjectNode failed) throws InterruptedException {
    for (JsonNode node : listeners) {
      Plan.Endpoint l = endpoint(node);
      try {
        PeerServer.Running running = PeerServer.start(l, idl, codec);
        Thread thread = new Thread(() -> {
          try {
            running.serve();
          } catch (Exception e) {
            KeyedLog.log("stopped serving: " + e);
          }
        }, l.key());
        thread.setDaemon(true);
        thread.start();
        long until = System.nanoTime() + 20_000_000_000L; // monotonic: no wall-clock step cuts it short
        while (!running.serving() && System.nanoTime() - until < 0) Thread.sleep(2);
        if (!running.serving()) failed.put(l.key(), "not serving within 20 s");
      } catch (Exception e) {
        failed.put(l.key(), e.toString());
      }
    }
  }

  @Override
  public BenchRole.Client open(JsonNode command, BenchRole.Payload payload) throws Exception {
    Plan.Endpoint target = endpoint(command.path("target"));
    if (command.path("inflight").asInt(1) != 1) throw new IllegalArgumentException("a libthrift connection carries one call at a time (inflight 1)");
    Idl.Function function = idl.function(Axes.CONFORMANCE, payload.isInt() ? "echoI32" : "echoBinary");
    Connection connection = Connection.open(target, null, command.path("timeoutMs").asInt(20_000));
    return new BenchRole.Client() {
      @Override
      public BenchRole.Call caller() {
        StructValue arguments = new StructValue(function.arguments()).set("value", payload.value());
        int[] seqid = {0};
        return () -> {
          Calls.Outcome outcome = Calls.call(codec, connection, function, arguments, ++seqid[0]);
          if (!(outcome instanceof Calls.Returned returned) || !payload.value().equals(returned.value()))
            throw new IllegalStateException("the echo differs from the request: " + outcome);
        };
      }

      @Override
      public void close() {
        connection.close();
      }
    };
  }
}
