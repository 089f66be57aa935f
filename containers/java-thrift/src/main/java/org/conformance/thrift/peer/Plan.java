package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A plan file (containers/README.md): the listeners a server serves, or the cells a client runs. */
final class Plan {
  private Plan() {}

  /** Where to connect or listen, and how: one listener of a server plan or one cell of a client plan. */
  record Endpoint(String key, String transport, String protocol, String socket, String serverKind,
                  String host, int port, Path path, Tls.Files3 tls, List<String> cases) {
    String describe() {
      String where = socket.equals("unix") ? String.valueOf(path) : host + ":" + port;
      return transport + "/" + protocol + "/" + socket + (serverKind == null ? "" : "/" + serverKind) + " at " + where;
    }
  }

  static List<Endpoint> listeners(File plan) throws IOException {
    return endpoints(new ObjectMapper().readTree(plan), "listeners");
  }

  static List<Endpoint> cells(File plan) throws IOException {
    return endpoints(new ObjectMapper().readTree(plan), "cells");
  }

  private static List<Endpoint> endpoints(JsonNode root, String member) throws IOException {
    JsonNode list = root.get(member);
    if (list == null || !list.isArray()) throw new IOException("the plan has no \"" + member + "\" array");
    List<Endpoint> out = new ArrayList<>();
    for (JsonNode e : list) {
      String key = e.path("key").asText("");
      if (key.isEmpty()) throw new IOException("a plan entry without \"key\": " + e);
      JsonNode tls = e.get("tls");
      List<String> cases = new ArrayList<>();
      e.path("cases").forEach(c -> cases.add(c.asText()));
      out.add(new Endpoint(key, text(e, "transport"), text(e, "protocol"), e.path("socket").asText("tcp"),
          e.hasNonNull("serverKind") ? e.get("serverKind").asText() : null,
          e.path("host").asText("127.0.0.1"), e.path("port").asInt(0),
          e.hasNonNull("path") ? Path.of(e.get("path").asText()) : null,
          tls == null ? null : new Tls.Files3(path(tls, "cert"), path(tls, "key"), path(tls, "ca")),
          List.copyOf(cases)));
    }
    return out;
  }

  private static String text(JsonNode e, String name) throws IOException {
    if (!e.hasNonNull(name)) throw new IOException("plan entry " + e.path("key").asText() + " has no \"" + name + "\"");
    return e.get(name).asText();
  }

  private static Path path(JsonNode tls, String name) {
    return tls.hasNonNull(name) ? Path.of(tls.get(name).asText()) : null;
  }
}
