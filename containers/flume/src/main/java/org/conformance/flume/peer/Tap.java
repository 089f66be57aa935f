package org.conformance.flume.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/** TAP 13 per cell, as containers/README.md asks for it; every line flushed. */
final class Tap {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  void cellBegins(String key, int count) {
    out.println("# cell " + key + " begins");
    out.println("TAP version 13");
    out.println("1.." + count);
  }

  void cellEnds(String key) {
    // When the last case ended, as the harness reads that case's own time.
    out.println("# cell " + key + " ends " + instants());
  }

  void caseBegins(String id) {
    // On the host's real-time and monotonic clocks (containers share both): the harness cuts what
    // its server saw by the monotonic one, which no step of the real-time clock moves.
    out.println("# case " + id + " begins " + instants());
  }

  /** "<epoch ms> monotonic <ms>" (System.nanoTime() reads CLOCK_MONOTONIC on Linux). */
  private static String instants() {
    Instant now = Instant.now();
    long monotonic = System.nanoTime();
    return String.format(Locale.ROOT, "%.3f monotonic %d.%03d", now.getEpochSecond() * 1000.0 + now.getNano() / 1e6, monotonic / 1_000_000, monotonic / 1_000 % 1_000);
  }

  void ok(int number, String id) {
    out.println("ok " + number + " - " + id);
  }

  void skip(int number, String id, String why) {
    out.println("ok " + number + " - " + id + " # SKIP " + why);
  }

  void notOk(int number, String id, String message, Object expected, Object actual) {
    out.println("not ok " + number + " - " + id);
    out.println("  ---");
    out.println("  message: " + yaml(message));
    out.println("  expected: " + yaml(expected));
    out.println("  actual: " + yaml(actual));
    out.println("  ...");
  }

  /** JSON is YAML (flow style). */
  private static String yaml(Object value) {
    try {
      String text = JSON.writeValueAsString(value);
      return text.length() <= 4000 ? text : JSON.writeValueAsString(text.substring(0, 4000) + "... (cut)");
    } catch (JsonProcessingException e) {
      return "\"" + e.getMessage() + "\"";
    }
  }
}
