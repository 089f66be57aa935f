package toolhost;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * System.out and System.err, routed by call. Tools print to the streams they are given, but some
 * code writes to System.out / System.err directly: avro-tools' log4j console appender (target
 * System.err, set up the first time anything logs, after install), and Util's "could not close"
 * lines. A thread that belongs to a call (its tool thread and every thread created from it: Jetty's
 * and SocketServer's threads, rpcreceive's countdown thread) writes into that call's stream, as it
 * would into its own process's; any other thread writes to the host's stderr.
 */
final class CallStreams {
  private static PrintStream hostErr;

  private CallStreams() {}

  static void install(PrintStream realErr) {
    hostErr = realErr;
    Charset out = charset("stdout.encoding");
    Charset err = charset("stderr.encoding");
    System.setOut(new PrintStream(new Routed(false), true, out));
    System.setErr(new PrintStream(new Routed(true), true, err));
  }

  static PrintStream hostErr() {
    return hostErr;
  }

  /** The charset a process's System.out / System.err would use (JDK 18+ properties). */
  static Charset charset(String property) {
    String name = System.getProperty(property);
    return name == null ? Charset.defaultCharset() : Charset.forName(name);
  }

  private static final class Routed extends OutputStream {
    private final boolean err;

    Routed(boolean err) {
      this.err = err;
    }

    private PrintStream target() {
      Call call = Call.current();
      if (call == null) {
        return hostErr;
      }
      return err ? call.err() : call.out();
    }

    @Override
    public void write(int b) {
      target().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      target().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      target().flush();
    }
  }
}
