package org.conformance.flume.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Protocol;
import org.apache.flume.source.avro.AvroSourceProtocol;

/**
 * The Flume peer's command line (containers/README.md):
 *
 * <pre>
 *   server --plan FILE     NettyServer listeners answering AvroSourceProtocol
 *   client --plan FILE     the Flume client SDK (NettyAvroRpcClient) running each cell's cases
 *   check-protocol FILE    FILE must parse equal to the SDK's AvroSourceProtocol.PROTOCOL (image build)
 * </pre>
 *
 * Transports: {@code netty} (Netty framing) and {@code netty-deflate} (the same inside one zlib
 * stream per direction, Flume's compression-type deflate).
 */
public final class Main {
  private static final List<String> TRANSPORTS = List.of("netty", "netty-deflate");

  private Main() {}

  static synchronized void log(String line) {
    System.err.println(line);
    System.err.flush();
  }

  static String describe(Throwable error) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (out.length() > 0) out.append(" <- ");
      out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) break;
    }
    return out.toString();
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("check-protocol")) {
      System.exit(checkProtocol(args[1]));
    }
    if (args.length != 3 || !args[1].equals("--plan") || !(args[0].equals("server") || args[0].equals("client"))) {
      System.err.println("usage: server --plan FILE | client --plan FILE | check-protocol FILE");
      System.exit(2);
    }
    JsonNode plan = new ObjectMapper().readTree(new File(args[2]));
    Map<String, FlumeCases.FlumeCase> cases = FlumeCases.load();
    if (args[0].equals("server")) {
      serve(plan, cases);
    } else {
      runClient(plan, cases);
      System.exit(0);
    }
  }

  /** Our own description of the wire interface must be the one compiled into the SDK. */
  private static int checkProtocol(String path) throws Exception {
    Protocol ours = Protocol.parse(new File(path));
    Protocol sdk = AvroSourceProtocol.PROTOCOL;
    if (!ours.equals(sdk)) {
      System.err.println(path + " does not describe the SDK's AvroSourceProtocol.\n  ours: " + ours + "\n  SDK:  " + sdk);
      return 1;
    }
    System.out.println(path + " parses equal to flume-ng-sdk's AvroSourceProtocol.PROTOCOL");
    return 0;
  }

  private static void serve(JsonNode plan, Map<String, FlumeCases.FlumeCase> cases) throws InterruptedException {
    for (JsonNode listener : plan.get("listeners")) {
      String key = listener.get("key").asText();
      try {
        String transport = listener.get("transport").asText();
        if (!TRANSPORTS.contains(transport) || !listener.path("socket").asText("tcp").equals("tcp")) {
          throw new IllegalArgumentException("no server for transport " + transport + " socket " + listener.path("socket").asText("tcp"));
        }
        if (!listener.path("protocol").asText("flume").equals("flume")) {
          throw new IllegalArgumentException("only the flume protocol (AvroSourceProtocol) is served");
        }
        List<FlumeCases.FlumeCase> expected = new ArrayList<>();
        if (listener.has("cases")) {
          for (JsonNode id : listener.get("cases")) {
            FlumeCases.FlumeCase flumeCase = cases.get(id.asText());
            if (flumeCase == null) throw new IllegalArgumentException("no Flume case " + id.asText());
            expected.add(flumeCase);
          }
        } else {
          expected.addAll(cases.values());
        }
        FlumeServer server = new FlumeServer(key, expected);
        server.start(listener.get("host").asText(), listener.get("port").asInt(), transport.equals("netty-deflate"));
        log("[" + key + "] NettyServer (" + transport + ") on " + listener.get("host").asText() + ":" + server.port()
            + ", expecting the calls of " + expected.size() + " case(s)");
      } catch (Exception e) {
        System.out.println("FAILED " + key + " " + describe(e).replace('\n', ' '));
        log("[" + key + "] could not start: " + describe(e));
      }
    }
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void runClient(JsonNode plan, Map<String, FlumeCases.FlumeCase> cases) {
    Tap tap = new Tap();
    for (JsonNode cell : plan.get("cells")) {
      String key = cell.get("key").asText();
      String transport = cell.get("transport").asText();
      List<String> ids = new ArrayList<>();
      for (JsonNode id : cell.path("cases")) ids.add(id.asText());
      tap.cellBegins(key, ids.size());
      boolean offered = TRANSPORTS.contains(transport) && cell.path("socket").asText("tcp").equals("tcp");
      for (int number = 1; number <= ids.size(); number++) {
        String id = ids.get(number - 1);
        tap.caseBegins(id);
        FlumeCases.FlumeCase flumeCase = cases.get(id);
        if (flumeCase == null) {
          tap.notOk(number, id, "no such Flume case in programs/cases.json", null, null);
          continue;
        }
        if (!offered) {
          tap.notOk(number, id, "the Flume SDK has no client for transport " + transport, null, null);
          continue;
        }
        String skip = FlumeClient.skipReason(flumeCase);
        if (skip != null) {
          tap.skip(number, id, skip);
          continue;
        }
        try {
          FlumeClient.run(flumeCase, cell.get("host").asText(), cell.get("port").asInt(), transport.equals("netty-deflate"));
          tap.ok(number, id);
        } catch (Exception e) {
          log("[" + key + "] case " + id + ": " + describe(e));
          Map<String, Object> actual = new LinkedHashMap<>();
          actual.put("exception", describe(e));
          tap.notOk(number, id, "the Flume client did not get Status OK for every call", "OK", actual);
        }
      }
      tap.cellEnds(key);
    }
  }
}
