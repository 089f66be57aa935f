package org.conformance.thrift.peer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conformance.thrift.Choice;
import org.conformance.thrift.Color;
import org.conformance.thrift.Conformance;
import org.conformance.thrift.ConformanceError;
import org.conformance.thrift.Deep;
import org.conformance.thrift.Defaults;
import org.conformance.thrift.Drawing;
import org.conformance.thrift.Empty;
import org.conformance.thrift.OtherError;
import org.conformance.thrift.Point;
import org.conformance.thrift.Scalars;
import org.conformance.thrift.Sparse;

/** The server semantics of suites/thrift/data/README.md. */
final class ConformanceHandler implements Conformance.Iface {
  /** One slot per server process, shared by every connection (and every worker thread). */
  private static volatile String lastNote = "";

  @Override public void ping() {}

  @Override public String echoString(String value) { return value; }
  @Override public boolean echoBool(boolean value) { return value; }
  @Override public byte echoByte(byte value) { return value; }
  @Override public short echoI16(short value) { return value; }
  @Override public int echoI32(int value) { return value; }
  @Override public long echoI64(long value) { return value; }
  @Override public double echoDouble(double value) { return value; }
  @Override public ByteBuffer echoBinary(ByteBuffer value) { return value; }
  @Override public Color echoEnum(Color value) { return value; }
  @Override public long echoTypedef(long value) { return value; }
  @Override public Point echoPoint(Point value) { return value; }
  @Override public Scalars echoScalars(Scalars value) { return value; }
  @Override public Drawing echoDrawing(Drawing value) { return value; }
  @Override public Defaults echoDefaults(Defaults value) { return value; }
  @Override public Sparse echoSparse(Sparse value) { return value; }
  @Override public Empty echoEmpty(Empty value) { return value; }
  @Override public Choice echoChoice(Choice value) { return value; }
  @Override public Deep echoDeep(Deep value) { return value; }
  @Override public List<Integer> echoList(List<Integer> value) { return value; }
  @Override public Set<Integer> echoSet(Set<Integer> value) { return value; }
  @Override public Map<Integer, Integer> echoMap(Map<Integer, Integer> value) { return value; }
  @Override public Map<String, String> echoLabels(Map<String, String> value) { return value; }
  @Override public Map<Long, String> echoI64Map(Map<Long, String> value) { return value; }
  @Override public Map<Integer, Map<Integer, Integer>> echoMapOfMaps(Map<Integer, Map<Integer, Integer>> value) {
    return value;
  }
  @Override public List<ByteBuffer> echoBinaryList(List<ByteBuffer> value) { return value; }
  @Override public Map<Color, List<Point>> echoEnumMap(Map<Color, List<Point>> value) { return value; }

  @Override
  public Scalars gather(short small, boolean flag, byte tiny, int medium, long large, double real, String text,
                        ByteBuffer blob, Color color) {
    return new Scalars(flag, tiny, small, medium, large, real, text, blob, color);
  }

  @Override public long add(long a, long b) { return a + b; } // Java long arithmetic wraps around

  @Override
  public void fail(String kind, int code, String reason) throws ConformanceError, OtherError {
    if ("conformance".equals(kind)) throw new ConformanceError(code, reason);
    if ("other".equals(kind)) throw new OtherError(reason, List.of(code));
  }

  @Override
  public String failUndeclared(String reason) {
    // Not declared in the IDL: libthrift's processor answers TApplicationException INTERNAL_ERROR.
    throw new IllegalStateException("undeclared failure: " + reason);
  }

  @Override public void notify(String note) { lastNote = note; }
  @Override public String lastNote() { return lastNote; }
}
