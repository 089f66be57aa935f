package org.conformance.peer.common;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * stderr lines prefixed with "[key] " (containers/README.md), key being the listener or client cell
 * the writing thread works for ("peer" for a thread that has none).
 *
 * The key is an inheritable thread-local: a listener is started on a thread of its own that holds
 * its key, and every thread the server library creates from there (Jetty's pool, Avro's
 * SocketServer connection threads, Netty's event loops, which are created lazily by the threads
 * that first use them, libthrift's workers and selectors) inherits it. So the libraries' own log
 * lines (slf4j-simple, which writes to the current System.err) carry the key of the listener they
 * belong to, with no change to them. A pool that creates its threads elsewhere gets
 * {@link #threads(String)}.
 */
public final class KeyedLog {
  private static final InheritableThreadLocal<String> KEY = new InheritableThreadLocal<>();
  private static final String PROCESS_KEY = "peer";

  private KeyedLog() {}

  /** Replaces System.err by one that prefixes each line; call before anything logs. */
  public static void install() {
    PrintStream raw = System.err;
    System.setErr(new PrintStream(new LinePrefixer(raw), true, StandardCharsets.UTF_8));
  }

  /** The key of this thread's lines, and of the threads it starts from now on. */
  public static void setKey(String key) {
    KEY.set(key);
  }

  public static String key() {
    return KEY.get();
  }

  public static void log(String text) {
    System.err.println(text);
  }

  /** Threads named after the key that carry it (for the thread pools handed to a server library). */
  public static ThreadFactory threads(String key) {
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

    /** Writes one line; a CR before its newline (a CRLF line end) is dropped, so that it ends the line rather than sits inside it. */
    private void emit(ByteArrayOutputStream buffer) {
      String key = KEY.get();
      byte[] prefix = ("[" + (key == null ? PROCESS_KEY : key) + "] ").getBytes(StandardCharsets.UTF_8);
      byte[] text = buffer.toByteArray();
      int length = text.length > 0 && text[text.length - 1] == '\r' ? text.length - 1 : text.length;
      synchronized (raw) {
        raw.write(prefix, 0, prefix.length);
        raw.write(text, 0, length);
        raw.write('\n');
        raw.flush();
      }
      buffer.reset();
    }
  }
}
