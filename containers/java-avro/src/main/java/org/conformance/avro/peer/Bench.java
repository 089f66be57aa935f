package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Protocol;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.ipc.Transceiver;
import org.apache.avro.ipc.generic.GenericRequestor;
import org.conformance.peer.common.BenchRole;

/**
 * This peer's part of the bench role (the command loop and the closed loop are BenchRole, in
 * ../java-peer-common, shared with java-thrift): "serve" starts listeners with this peer's own
 * servers and responder (as the server role does); a run's clients are Avro's own GenericRequestor
 * and transceivers (as the client role uses them). On Netty several threads share one transceiver
 * (it matches answers by serial), elsewhere each has its own.
 */
final class Bench implements BenchRole.Peer {
  /** The servers started, referenced for the life of the process. */
  private final List<Object> servers = new ArrayList<>();

  private Bench() {}

  static void main(String[] args) {
    BenchRole.main(Bench::new);
  }

  @Override
  public void serve(JsonNode listeners, ObjectNode failed) {
    for (JsonNode node : listeners) {
      Plan.Listener l = Plan.listener(node);
      try {
        Protocol protocol = Protocols.load(l.protocol());
        servers.add(Transports.startServer(l.transport(), new ConformanceResponder(protocol), l.host(), l.port()));
      } catch (Exception e) {
        failed.put(l.key(), e.toString());
      }
    }
  }

  @Override
  public BenchRole.Client open(JsonNode command, BenchRole.Payload payload) throws Exception {
    JsonNode target = command.path("target");
    Protocol protocol = Protocols.load(target.path("protocol").asText("conformance"));
    String message = payload.isInt() ? "echoInt" : "echoBytes";
    Schema request = protocol.getMessages().get(message).getRequest();
    Transceiver transceiver = Transports.open(target.path("transport").asText(), target.path("host").asText("127.0.0.1"),
        target.path("port").asInt(), command.path("timeoutMs").asInt(20_000));
    GenericRequestor requestor = new GenericRequestor(protocol, transceiver);
    return new BenchRole.Client() {
      @Override
      public BenchRole.Call caller() {
        GenericRecord arguments = new GenericData.Record(request);
        arguments.put("value", payload.value());
        return () -> {
          Object answer = requestor.request(message, arguments);
          if (!payload.value().equals(answer)) throw new IllegalStateException("the echo differs from the request (" + describe(answer) + ")");
        };
      }

      @Override
      public void close() {
        try {
          transceiver.close();
        } catch (Exception ignored) {
          // closing is not measured; a transceiver that fails to close changes nothing here
        }
      }
    };
  }

  private static String describe(Object value) {
    if (value instanceof ByteBuffer b) return "bytes of length " + b.remaining();
    return String.valueOf(value);
  }
}
