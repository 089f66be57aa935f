package org.conformance.thrift.peer;

import java.util.Map;

/** Service Secondary: registered beside Conformance under the multiplexed protocols only. */
final class SecondaryHandler implements Handler {
  @Override
  public Object call(Idl.Function function, Map<String, Object> arguments) {
    if (!function.name().equals("echoString")) {
      throw new UnsupportedOperationException("Secondary has no handler for " + function.name());
    }
    return "secondary:" + arguments.get("value");
  }
}
