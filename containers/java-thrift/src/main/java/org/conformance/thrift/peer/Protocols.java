package org.conformance.thrift.peer;

import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TJSONProtocol;
import org.apache.thrift.protocol.TProtocolFactory;

/** The protocol axis of the matrix (suites/thrift/data/README.md), as libthrift factories. */
final class Protocols {
  private Protocols() {}

  /** Service names under the multiplexed protocol, shared with every other peer. */
  static final String CONFORMANCE = "Conformance";
  static final String SECONDARY = "Secondary";

  /** What a protocol axis value means: how requests and responses are encoded, and multiplexing. */
  record Pair(TProtocolFactory request, TProtocolFactory response, boolean multiplexed) {}

  static Pair of(String axis) {
    return switch (axis) {
      case "binary", "compact", "json" -> new Pair(plain(axis), plain(axis), false);
      case "multiplexed-binary" -> new Pair(plain("binary"), plain("binary"), true);
      case "mixed-compact-binary" -> new Pair(plain("compact"), plain("binary"), false);
      case "mixed-binary-compact" -> new Pair(plain("binary"), plain("compact"), false);
      default -> throw new IllegalArgumentException("unknown protocol " + axis);
    };
  }

  /** One plain protocol; binary is libthrift's default: strict write, lenient read. */
  static TProtocolFactory plain(String name) {
    return switch (name) {
      case "binary" -> new TBinaryProtocol.Factory();
      case "compact" -> new TCompactProtocol.Factory();
      case "json" -> new TJSONProtocol.Factory();
      default -> throw new IllegalArgumentException("unknown plain protocol " + name);
    };
  }
}
