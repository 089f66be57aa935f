package org.conformance.thrift.peer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.UUID;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TType;

/**
 * libthrift's uuid support, the one place where the source differs between releases: TProtocol
 * gained readUuid/writeUuid and TType.UUID in 0.18.0 (THRIFT-5587; the type byte was 17 in 0.18.x
 * and is 16 from 0.19.0, THRIFT-5653). They are looked up at run time so one source compiles
 * against every release; whatever the library does with the bytes is what goes on the wire.
 */
final class Uuids {
  private Uuids() {}

  private static final MethodHandle WRITE;
  private static final MethodHandle READ;
  private static final byte WIRE_TYPE;

  static {
    MethodHandle write = null;
    MethodHandle read = null;
    byte wireType = -1;
    try {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      write = lookup.findVirtual(TProtocol.class, "writeUuid", MethodType.methodType(void.class, UUID.class));
      read = lookup.findVirtual(TProtocol.class, "readUuid", MethodType.methodType(UUID.class));
      wireType = TType.class.getField("UUID").getByte(null);
    } catch (ReflectiveOperationException absent) {
      write = null;
      read = null;
    }
    WRITE = write;
    READ = read;
    WIRE_TYPE = wireType;
  }

  static boolean supported() {
    return WRITE != null;
  }

  /** TType.UUID of this release; -1 (a byte no protocol uses) where the release has no uuid. */
  static byte wireType() {
    return WIRE_TYPE;
  }

  static void write(TProtocol out, UUID value) throws TException {
    if (WRITE == null) throw unsupported();
    try {
      WRITE.invoke(out, value);
    } catch (TException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new TException(e);
    }
  }

  static UUID read(TProtocol in) throws TException {
    if (READ == null) throw unsupported();
    try {
      return (UUID) READ.invoke(in);
    } catch (TException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new TException(e);
    }
  }

  /** The reason a release without uuid gives when asked to read or write one. */
  static UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException("libthrift " + Main.libthriftVersion() + " has no uuid type (TProtocol.writeUuid/readUuid arrived in 0.18.0)");
  }
}
