package org.conformance.avro.peer;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * stderr lines prefixed with "[key] " (containers/README.md), key being the listener or cell the
 * writing thread works for.
 *
 * The key is an inheritable thread-local: a listener is started on a thread of its own that holds
 * its key, and every thread the server library creates from there (Jetty's pool, SocketServer's
 * connection threads, Netty's event loops, which are created lazily by the threads that first use
 * them) inherits it. So Avro's, Jetty's and Netty's own log lines (slf4j-simple, which writes to
 * the current System.err) carry the key of the listener they belong to, with no change to them.
 */
final class KeyedLog {
  private static final InheritableThreadLocal<String> KEY = new InheritableThreadLocal<>();
  private static final String PROCESS_KEY = "peer";

  private KeyedLog() {}

  static void setKey(String key) {
    KEY.set(key);
  }

  static String key() {
    return KEY.get();
  }

  /** Replaces System.err by one that prefixes each line; call before anything logs. */
  static void install() {
    PrintStream raw = System.err;
    System.setErr(new PrintStream(new LinePrefixer(raw), true, StandardCharsets.UTF_8));
  }

  static void log(String text) {
    System.err.println(text);
  }

  /** Collects each thread's bytes up to a newline, then writes the line with its key in one piece. */
  private static final class LinePrefixer extends OutputStream {
    private final PrintStream raw;
    private final ThreadLocal<ByteArrayOutputStream> line = ThreadLocal.withInitial(ByteArrayOutputStream::new);

    LinePrefixer(PrintStream raw) {
      this.raw = raw;
    }

    @Override
    public void write(int b) {
      ByteArrayOutputStream buffer = line.get();
      if (b == '\n') {
        emit(buffer);
      } else {
        buffer.write(b);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      ByteArrayOutputStream buffer = line.get();
      int start = offset;
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] == '\n') {
          buffer.write(bytes, start, i - start);
          emit(buffer);
          start = i + 1;
        }
      }
      buffer.write(bytes, start, offset + length - start);
    }

    private void emit(ByteArrayOutputStream buffer) {
      String key = KEY.get();
      byte[] prefix = ("[" + (key == null ? PROCESS_KEY : key) + "] ").getBytes(StandardCharsets.UTF_8);
      synchronized (raw) {
        raw.write(prefix, 0, prefix.length);
        raw.write(buffer.toByteArray(), 0, buffer.size());
        raw.write('\n');
        raw.flush();
      }
      buffer.reset();
    }
  }
}
