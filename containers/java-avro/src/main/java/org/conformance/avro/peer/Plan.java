package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A plan file of containers/README.md: the listeners of a server, or the cells of a client. */
final class Plan {
  private Plan() {}

  /** One listener of a server plan. */
  record Listener(String key, String transport, String protocol, String socket, String serverKind, String host, int port) {}

  /** One cell of a client plan: a server to talk to and the ordered case ids to run against it. */
  record Cell(String key, String transport, String protocol, String serverKind, String host, int port, List<String> cases) {}

  static JsonNode read(String[] args, String role) throws IOException {
    if (args.length != 3 || !args[1].equals("--plan"))
      throw new IllegalArgumentException("usage: " + role + " --plan FILE");
    JsonNode plan = new ObjectMapper().readTree(new File(args[2]));
    if (plan == null || !plan.isObject()) throw new IllegalArgumentException("a plan is a JSON object");
    return plan;
  }

  static List<JsonNode> listenerNodes(JsonNode plan) {
    List<JsonNode> nodes = new ArrayList<>();
    plan.path("listeners").forEach(nodes::add);
    return nodes;
  }

  static Listener listener(JsonNode node) {
    return new Listener(required(node, "key"), required(node, "transport"), required(node, "protocol"),
        node.path("socket").asText("tcp"), node.path("serverKind").asText(null), required(node, "host"), port(node));
  }

  static List<Cell> cells(JsonNode plan) {
    List<Cell> cells = new ArrayList<>();
    for (JsonNode node : plan.path("cells")) {
      List<String> cases = new ArrayList<>();
      node.path("cases").forEach(id -> cases.add(id.asText()));
      cells.add(new Cell(required(node, "key"), required(node, "transport"), required(node, "protocol"),
          node.path("serverKind").asText("unknown"), required(node, "host"), port(node), cases));
    }
    return cells;
  }

  private static String required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) throw new IllegalArgumentException("plan entry lacks \"" + field + "\": " + node);
    return value.asText();
  }

  private static int port(JsonNode node) {
    JsonNode port = node.get("port");
    if (port == null || !port.canConvertToInt()) throw new IllegalArgumentException("plan entry lacks a port: " + node);
    return port.asInt();
  }
}
