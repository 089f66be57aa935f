package org.conformance.flume.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Flume cases of suites/avro/data/programs/cases.json (protocol "flume"), read into the calls
 * each makes on the wire. Semantics and notation: suites/avro/data/programs/README.md.
 */
final class FlumeCases {
  static final String DATA_DIR = System.getenv().getOrDefault("AVRO_CONFORMANCE_DATA", "/spec/suites/avro/data");
  static final String PROGRAMS_DIR = DATA_DIR + "/programs";

  /** One event: headers and body, as the notation gives them. */
  record Event(Map<String, String> headers, byte[] body) {}

  /** One call on the wire: append (one event) or appendBatch (a list). */
  record Call(String message, List<Event> events) {}

  /** A case: its wire calls, whether they go out all at once on one client (kind "concurrent"),
   * and for appendBatch cases the client's batch size and all events. */
  record FlumeCase(String id, String kind, List<Call> calls, boolean concurrent, Integer batchSize, List<Event> batchEvents) {}

  private FlumeCases() {}

  static Map<String, FlumeCase> load() throws IOException {
    JsonNode root = new ObjectMapper().readTree(new File(PROGRAMS_DIR + "/cases.json"));
    Map<String, FlumeCase> cases = new LinkedHashMap<>();
    for (JsonNode node : root.get("cases")) {
      if (!"flume".equals(node.path("protocol").asText())) continue;
      cases.put(node.get("id").asText(), read(node));
    }
    return cases;
  }

  private static FlumeCase read(JsonNode node) {
    String id = node.get("id").asText();
    String kind = node.get("kind").asText();
    if ("concurrent".equals(kind)) {
      // count calls from the template "call", {call} replaced by the call's index (../README.md).
      List<Call> calls = new ArrayList<>();
      for (int i = 0; i < node.get("count").asInt(); i++) calls.add(singleCall(fill(node.get("call"), Integer.toString(i))));
      return new FlumeCase(id, kind, calls, true, null, null);
    }
    if (!"call".equals(kind)) throw new IllegalArgumentException("case " + id + ": unknown kind " + kind);
    String message = node.get("message").asText();
    if ("append".equals(message)) return new FlumeCase(id, kind, List.of(singleCall(node)), false, null, null);
    List<Event> events = events(node.get("request").get("events"));
    Integer batchSize = node.has("batchSize") ? node.get("batchSize").asInt() : null;
    List<Call> calls = new ArrayList<>();
    if (batchSize == null || events.isEmpty()) {
      calls.add(new Call("appendBatch", events));
    } else {
      for (int from = 0; from < events.size(); from += batchSize) {
        calls.add(new Call("appendBatch", events.subList(from, Math.min(events.size(), from + batchSize))));
      }
    }
    return new FlumeCase(id, kind, calls, false, batchSize, events);
  }

  private static Call singleCall(JsonNode node) {
    String message = node.get("message").asText();
    JsonNode request = node.get("request");
    if ("append".equals(message)) return new Call(message, List.of(event(request.get("event"))));
    return new Call(message, events(request.get("events")));
  }

  /** A copy of a template with "{call}" replaced in every string value (object keys excluded). */
  private static JsonNode fill(JsonNode template, String index) {
    if (template.isTextual()) return TextNode.valueOf(template.asText().replace("{call}", index));
    if (template.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      template.fields().forEachRemaining(field -> copy.set(field.getKey(), fill(field.getValue(), index)));
      return copy;
    }
    if (template.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      for (JsonNode item : template) copy.add(fill(item, index));
      return copy;
    }
    return template;
  }

  // --- notation (suites/avro/data/README.md), for the AvroFlumeEvent record ----------------------

  static List<Event> events(JsonNode node) {
    List<Event> events = new ArrayList<>();
    if (node.isObject() && node.has("$events")) {
      // {"$events": {"count", "bodyBytes", "headers"}}: event i carries the headers plus "seq" = i,
      // and a body of bodyBytes bytes where byte j is (i + j) mod 256.
      JsonNode spec = node.get("$events");
      int count = spec.get("count").asInt();
      int bodyBytes = spec.get("bodyBytes").asInt();
      for (int i = 0; i < count; i++) {
        Map<String, String> headers = strings(spec.path("headers"));
        headers.put("seq", Integer.toString(i));
        byte[] body = new byte[bodyBytes];
        for (int j = 0; j < bodyBytes; j++) body[j] = (byte) (i + j);
        events.add(new Event(headers, body));
      }
      return events;
    }
    for (JsonNode item : node) events.add(event(item));
    return events;
  }

  static Event event(JsonNode node) {
    return new Event(strings(node.get("headers")), bytes(node.get("body")));
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node == null || node.isMissingNode()) return map;
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      map.put(field.getKey(), text(field.getValue()));
    }
    return map;
  }

  static String text(JsonNode node) {
    if (node.isTextual()) return node.asText();
    JsonNode spec = node.get("$text");
    if (spec == null) throw new IllegalArgumentException("not a string notation: " + node);
    return spec.path("prefix").asText("") + spec.get("repeat").asText().repeat(spec.get("count").asInt());
  }

  static byte[] bytes(JsonNode node) {
    if (node.has("$hex")) return hex(node.get("$hex").asText());
    if (node.has("$range")) {
      int from = node.get("$range").get(0).asInt();
      int to = node.get("$range").get(1).asInt();
      byte[] out = new byte[to - from + 1];
      for (int i = 0; i < out.length; i++) out[i] = (byte) (from + i);
      return out;
    }
    if (node.has("$repeat")) {
      byte[] unit = hex(node.get("$repeat").get("hex").asText());
      int count = node.get("$repeat").get("count").asInt();
      byte[] out = new byte[unit.length * count];
      for (int i = 0; i < count; i++) System.arraycopy(unit, 0, out, i * unit.length, unit.length);
      return out;
    }
    throw new IllegalArgumentException("not a bytes notation: " + node);
  }

  private static byte[] hex(String text) {
    byte[] out = new byte[text.length() / 2];
    for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
    return out;
  }

  /** Bytes as a quoted string, anything outside printable ASCII as \xNN. */
  private static String printable(byte[] bytes) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out.append((char) c);
      else out.append(String.format("\\x%02x", c));
    }
    return out.append('"').toString();
  }

  /** A short description of events for logs and TAP: count, header names, body sizes. */
  static String describe(List<Event> events) {
    StringBuilder out = new StringBuilder(events.size() + " event(s)");
    for (int i = 0; i < Math.min(3, events.size()); i++) {
      Event event = events.get(i);
      out.append(i == 0 ? ": " : "; ").append("headers ").append(event.headers().keySet())
          .append(", body ").append(event.body().length).append(" bytes");
      if (event.body().length <= 16) out.append(" ").append(printable(event.body()));
    }
    if (events.size() > 3) out.append("; ...");
    return out.toString();
  }
}
