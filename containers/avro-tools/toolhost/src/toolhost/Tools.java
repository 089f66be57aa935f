package toolhost;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.avro.tool.DataFileReadTool;
import org.apache.avro.tool.DataFileWriteTool;
import org.apache.avro.tool.RpcReceiveTool;
import org.apache.avro.tool.RpcSendTool;
import org.apache.avro.tool.Tool;

/** The avro-tools tools the peer runs, by the name Main knows them by; a new instance per call. */
final class Tools {
  private static final Map<String, Supplier<Tool>> TOOLS = new TreeMap<>(Map.of(
      "rpcsend", RpcSendTool::new,
      "rpcreceive", RpcReceiveTool::new,
      "fromjson", DataFileWriteTool::new,
      "tojson", DataFileReadTool::new));

  private Tools() {}

  static Tool create(String name) {
    Supplier<Tool> tool = TOOLS.get(name);
    return tool == null ? null : tool.get();
  }

  static String names() {
    return String.join(", ", TOOLS.keySet());
  }

  /** Each tool must answer to the name Main would dispatch it by. */
  static void verify() {
    TOOLS.forEach((name, tool) -> {
      String actual = tool.get().getName();
      if (!name.equals(actual)) {
        throw new IllegalStateException("avro-tools' " + tool.get().getClass().getName() + " is named '" + actual + "', not '" + name + "'");
      }
    });
  }
}
