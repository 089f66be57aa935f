package org.conformance.avro.peer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Protocol;

/** The protocol files of suites/avro/data/protocols, parsed once per process. */
final class Protocols {
  /** Where the harness bakes suites/avro/data into the image; overridable for runs outside it. */
  static final String DATA_DIR = System.getProperty("conformance.data", "/spec/suites/avro/data");
  private static final ConcurrentMap<String, Protocol> CACHE = new ConcurrentHashMap<>();

  private Protocols() {}

  static Protocol load(String name) {
    if (name.contains("/") || name.startsWith(".")) throw new IllegalArgumentException("not a protocol name: " + name);
    return CACHE.computeIfAbsent(name, n -> {
      try {
        return Protocol.parse(new File(DATA_DIR, "protocols/" + n + ".avpr"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read protocol " + n + ": " + e.getMessage(), e);
      }
    });
  }
}
