package org.conformance.thrift.peer;

import org.conformance.thrift.Secondary;

/** The second service, served beside Conformance under the multiplexed protocol only. */
final class SecondaryHandler implements Secondary.Iface {
  @Override public String echoString(String value) { return "secondary:" + value; }
}
