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
    out.println("# cell " + cell + " ends " + instants());
    out.flush();
  }

  /**
   * When a case starts, in ms to the µs, on the real-time and the monotonic clock (containers share
   * both with the host): the harness cuts what its server saw by the monotonic one, which no step
   * of the real-time clock moves.
   */
  void begin(String id) {
    out.println("# case " + id + " begins " + instants());
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

  /**
   * "<epoch ms> monotonic <ms>", each with three decimals (cases on loopback often take less than a
   * millisecond); System.nanoTime() reads CLOCK_MONOTONIC on Linux.
   */
  private static String instants() {
    java.time.Instant now = java.time.Instant.now();
    long monotonic = System.nanoTime();
    return String.format("%d.%03d monotonic %d.%03d", now.toEpochMilli(), now.getNano() / 1000 % 1000, monotonic / 1_000_000, monotonic / 1_000 % 1_000);
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
