package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.Protocol;
import org.apache.avro.ipc.Server;
import org.conformance.peer.common.KeyedLog;

/**
 * The server role: every listener of a plan in this JVM, each with its own responder (its own
 * lastNote), started in parallel on threads that carry the listener's key (KeyedLog).
 */
final class PlanServer {
  private PlanServer() {}

  static void serve(JsonNode plan) throws InterruptedException {
    List<JsonNode> nodes = Plan.listenerNodes(plan);
    CountDownLatch started = new CountDownLatch(nodes.size());
    List<Server> servers = new ArrayList<>();
    for (JsonNode node : nodes) {
      String key = node.path("key").asText("?");
      Thread starter = new Thread(() -> {
        KeyedLog.setKey(key);
        try {
          Server server = start(Plan.listener(node));
          synchronized (servers) {
            servers.add(server);
          }
        } catch (Exception | LinkageError e) {
          String reason = (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
          KeyedLog.log("cannot start: " + reason);
          synchronized (System.out) {
            System.out.println("FAILED " + key + " " + reason);
            System.out.flush();
          }
        } finally {
          started.countDown();
        }
      }, "start-" + key);
      starter.start();
    }
    started.await();
    KeyedLog.log(servers.size() + " of " + nodes.size() + " listeners serving, "
        + ManagementFactory.getRuntimeMXBean().getUptime() + " ms after JVM start");
    synchronized (System.out) {
      System.out.println("READY");
      System.out.flush();
    }
    new CountDownLatch(1).await(); // serve until the process is ended
  }

  private static Server start(Plan.Listener listener) throws Exception {
    if (!listener.socket().equals("tcp"))
      throw new IllegalArgumentException("socket " + listener.socket() + " is not offered (tcp only)");
    String kind = Transports.serverKind(listener.transport());
    if (listener.serverKind() != null && !listener.serverKind().equals(kind))
      throw new IllegalArgumentException("transport " + listener.transport() + " is served by " + kind + ", not " + listener.serverKind());
    Protocol protocol = Protocols.load(listener.protocol());
    Server server = Transports.startServer(listener.transport(), new ConformanceResponder(protocol), listener.host(), listener.port());
    KeyedLog.log(kind + " (" + listener.transport() + ") serving protocol " + protocol.getName() + " on " + listener.host() + ":" + server.getPort());
    return server;
  }
}
