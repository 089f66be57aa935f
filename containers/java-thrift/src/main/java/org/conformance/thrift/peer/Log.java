package org.conformance.thrift.peer;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * stderr with every line prefixed "[key] ": the key of the listener (or client cell) whose thread
 * wrote it. libthrift's own log lines (slf4j-simple, which writes to System.err) get the prefix too.
 * Threads inherit the key from the thread that starts them, so the worker and selector threads
 * libthrift and Jetty start for a listener carry its key.
 */
final class Log {
  private Log() {}

  private static final InheritableThreadLocal<String> KEY = new InheritableThreadLocal<>();
  private static final PrintStream RAW_ERR = System.err;

  /** Replaces System.err by the prefixing stream; call before any logger is set up. */
  static void install() {
    System.setErr(new PrintStream(new LineStream(RAW_ERR), true, StandardCharsets.UTF_8));
  }

  static void key(String key) {
    KEY.set(key);
  }

  static void error(String line) {
    System.err.println(line);
  }

  /** Threads named after the key that carry it (for the thread pools handed to libthrift servers). */
  static ThreadFactory threads(String key) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(() -> {
        KEY.set(key);
        runnable.run();
      }, key + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Collects each thread's bytes up to a newline, then writes the whole line behind its prefix. */
  private static final class LineStream extends OutputStream {
    private final PrintStream target;
    private final ThreadLocal<ByteArrayOutputStream> line = ThreadLocal.withInitial(ByteArrayOutputStream::new);

    LineStream(PrintStream target) {
      this.target = target;
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
    public void write(byte[] bytes, int off, int len) {
      ByteArrayOutputStream buffer = line.get();
      int start = off;
      for (int i = off; i < off + len; i++) {
        if (bytes[i] == '\n') {
          buffer.write(bytes, start, i - start);
          emit(buffer);
          start = i + 1;
        }
      }
      buffer.write(bytes, start, off + len - start);
    }

    private void emit(ByteArrayOutputStream buffer) {
      String key = KEY.get();
      byte[] prefix = ("[" + (key == null ? "peer" : key) + "] ").getBytes(StandardCharsets.UTF_8);
      synchronized (target) {
        target.write(prefix, 0, prefix.length);
        byte[] text = buffer.toByteArray();
        int length = text.length > 0 && text[text.length - 1] == '\r' ? text.length - 1 : text.length;
        target.write(text, 0, length);
        target.write('\n');
        target.flush();
      }
      buffer.reset();
    }
  }
}
