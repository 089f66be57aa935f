package org.conformance.flume.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/**
 * Runs Flume cases with the client SDK exactly as an application does: RpcClientFactory's default
 * client (NettyAvroRpcClient), configured by properties, one fresh client per case. A case passes
 * when every append / appendBatch returns, that is, the server answered Status OK (the SDK throws
 * EventDeliveryException for anything else).
 */
final class FlumeClient {
  private static final int TIMEOUT_MILLIS = 10_000;

  private FlumeClient() {}

  /** Why the SDK cannot run a case, or null. */
  static String skipReason(FlumeCases.FlumeCase flumeCase) {
    if (!flumeCase.concurrent() && "appendBatch".equals(flumeCase.calls().get(0).message())
        && flumeCase.calls().get(0).events().isEmpty()) {
      return "NettyAvroRpcClient.appendBatch sends nothing for an empty list (its loop over batches never runs)";
    }
    return null;
  }

  static void run(FlumeCases.FlumeCase flumeCase, String host, int port, boolean deflate) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("hosts", "h1");
    properties.setProperty("hosts.h1", host + ":" + port);
    properties.setProperty("connect-timeout", Integer.toString(TIMEOUT_MILLIS));
    properties.setProperty("request-timeout", Integer.toString(TIMEOUT_MILLIS));
    if (flumeCase.batchSize() != null) {
      properties.setProperty("batch-size", Integer.toString(flumeCase.batchSize()));
    } else if (flumeCase.batchEvents() != null) {
      properties.setProperty("batch-size", Integer.toString(Math.max(1, flumeCase.batchEvents().size())));
    }
    if (deflate) {
      properties.setProperty("compression-type", "deflate");
      properties.setProperty("compression-level", "6");
    }
    RpcClient client = RpcClientFactory.getInstance(properties);
    try {
      if (flumeCase.concurrent()) {
        concurrently(client, flumeCase.calls());
      } else if (flumeCase.batchEvents() != null) {
        client.appendBatch(flumeEvents(flumeCase.batchEvents()));
      } else {
        for (FlumeCases.Call call : flumeCase.calls()) send(client, call);
      }
    } finally {
      client.close();
    }
  }

  private static void send(RpcClient client, FlumeCases.Call call) throws Exception {
    if ("append".equals(call.message())) {
      client.append(flumeEvents(call.events()).get(0));
    } else {
      client.appendBatch(flumeEvents(call.events()));
    }
  }

  /** The calls from as many threads at once, on the one fresh client: every one must succeed. */
  private static void concurrently(RpcClient client, List<FlumeCases.Call> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Void>> results = new ArrayList<>();
      for (FlumeCases.Call call : calls) {
        results.add(pool.submit(() -> {
          start.await();
          send(client, call);
          return null;
        }));
      }
      start.countDown();
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        try {
          results.get(i).get(2L * TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          failures.add("call " + (i + 1) + ": " + Main.describe(e));
        }
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException(failures.size() + " of " + calls.size() + " concurrent calls failed: " + String.join("; ", failures));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Event> flumeEvents(List<FlumeCases.Event> events) {
    List<Event> out = new ArrayList<>(events.size());
    for (FlumeCases.Event event : events) out.add(EventBuilder.withBody(event.body(), event.headers()));
    return out;
  }
}
