package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;

/** A case failed: message, and the expected and actual values in the notation (either may be null). */
final class Failure extends Exception {
  final JsonNode expected;
  final JsonNode actual;

  Failure(String message, JsonNode expected, JsonNode actual) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }

  Failure(String message) {
    this(message, null, null);
  }

  /** The same failure with where it happened in front of its message. */
  Failure within(String context) {
    return new Failure(context + ": " + getMessage(), expected, actual);
  }
}
