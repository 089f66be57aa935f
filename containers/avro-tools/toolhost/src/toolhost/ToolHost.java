package toolhost;

import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One long-lived JVM that runs avro-tools' own Tool classes, one call per connection on a Unix
 * socket, instead of one {@code java -jar avro-tools.jar TOOL ...} process per call.
 *
 * <p>Each call gets a fresh Tool instance, its own stdout and stderr (streamed back as they are
 * written), Main's handling of return codes and exceptions, and the static state a fresh process
 * would have (FreshProcessState). Wire format of a call (CallConnection): the driver sends the
 * argument list; the host answers with frames of stdout, stderr and finally the exit status.
 *
 * <pre>java -cp avro-tools.jar:toolhost.jar -Djava.nio.channels.spi.SelectorProvider=toolhost.CallChannels \
 *   --add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/sun.net.www.http=ALL-UNNAMED \
 *   toolhost.ToolHost SOCKET_PATH</pre>
 */
public final class ToolHost {
  private ToolHost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: toolhost.ToolHost SOCKET_PATH");
      System.exit(2);
    }
    PrintStream stdout = System.out;
    CallStreams.install(System.err);
    // Everything the host relies on in avro-tools and the JDK is looked up now: a host that cannot
    // make a call behave as a fresh process does not start.
    FreshProcessState.verify();
    CallChannels.verifyInstalled();

    Path path = Path.of(args[0]);
    Files.deleteIfExists(path);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(path));
      // The only line the host writes to its real stdout: the driver waits for it.
      stdout.println("toolhost ready " + path);
      stdout.flush();
      for (long number = 1; ; number++) {
        SocketChannel connection = server.accept();
        Thread thread = new Thread(new CallConnection(number, connection)::serve, "connection-" + number);
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  /** The host's own log: its real stderr, one line per event. */
  static void log(String text) {
    CallStreams.hostErr().println("toolhost: " + text);
  }
}
