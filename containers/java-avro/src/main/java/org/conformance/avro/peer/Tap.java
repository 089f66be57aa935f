package org.conformance.avro.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;

/**
 * One cell's TAP 13 block on stdout, between "# cell KEY begins" and "# cell KEY ends".
 * Diagnostics are YAML whose scalars are written as JSON (JSON is YAML flow syntax), so any text,
 * control characters included, survives one line per key.
 */
final class Tap {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrintStream out;
  private final String cell;
  private int number;

  Tap(PrintStream out, String cell, int count) {
    this.out = out;
    this.cell = cell;
    out.println("# cell " + cell + " begins");
    out.println("TAP version 13");
    out.println("1.." + count);
    out.flush();
  }

  void end() {
    // When the last case ended, as the harness reads that case's own time.
    out.println("# cell " + cell + " ends " + epochMillis());
    out.flush();
  }

  /** When a case starts, on the host's clock (containers share it), in ms to the µs: the harness cuts its server's wire log by these. */
  void begin(String id) {
    out.println("# case " + id + " begins " + epochMillis());
    out.flush();
  }

  void ok(String id) {
    out.println("ok " + ++number + " - " + id);
    out.flush();
  }

  void skip(String id, String why) {
    out.println("ok " + ++number + " - " + id + " # SKIP " + why.replace('\n', ' '));
    out.flush();
  }

  void notOk(String id, Failure failure) {
    out.println("not ok " + ++number + " - " + id);
    out.println("  ---");
    out.println("  message: " + json(JSON.getNodeFactory().textNode(failure.getMessage())));
    out.println("  expected: " + json(failure.expected));
    out.println("  actual: " + json(failure.actual));
    out.println("  ...");
    out.flush();
  }

  void comment(String text) {
    out.println("# " + text.replace('\n', ' '));
    out.flush();
  }

  /** Wall-clock milliseconds with three decimals (cases on loopback often take less than a millisecond). */
  private static String epochMillis() {
    java.time.Instant now = java.time.Instant.now();
    return String.format("%d.%03d", now.toEpochMilli(), now.getNano() / 1000 % 1000);
  }

  private static String json(JsonNode node) {
    if (node == null) return "null";
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      return "\"<unprintable: " + e.getOriginalMessage() + ">\"";
    }
  }
}
