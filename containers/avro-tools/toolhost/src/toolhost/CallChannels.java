package toolhost;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JVM's SelectorProvider (system property java.nio.channels.spi.SelectorProvider): the
 * platform's own provider, which does all the work, plus a note of every socket channel a call's
 * thread opens. rpcsend over avro:// never closes its SaslSocketTransceiver: in a process the exit
 * closes the socket, and the server sees the connection end; a socket channel has no cleaner, so in
 * a warm JVM it would stay open for good. At a call's exit (or abandonment) the host closes the
 * channels the call left open.
 */
public final class CallChannels extends SelectorProvider {
  private final SelectorProvider platform;

  public CallChannels() {
    try {
      // The JDK's default provider; public in a package that the host's command line exports.
      platform = (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the platform's SelectorProvider is not reachable", e);
    }
  }

  static void verifyInstalled() {
    if (!(SelectorProvider.provider() instanceof CallChannels)) {
      throw new IllegalStateException("start the host with -Djava.nio.channels.spi.SelectorProvider=" + CallChannels.class.getName());
    }
  }

  private static <T extends Channel> T noted(T channel) {
    Call call = Call.current();
    if (call != null) {
      call.opened(channel);
    }
    return channel;
  }

  @Override
  public SocketChannel openSocketChannel() throws IOException {
    return noted(platform.openSocketChannel());
  }

  @Override
  public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
    return noted(platform.openSocketChannel(family));
  }

  @Override
  public ServerSocketChannel openServerSocketChannel() throws IOException {
    return noted(platform.openServerSocketChannel());
  }

  @Override
  public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
    return noted(platform.openServerSocketChannel(family));
  }

  @Override
  public DatagramChannel openDatagramChannel() throws IOException {
    return platform.openDatagramChannel();
  }

  @Override
  public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
    return platform.openDatagramChannel(family);
  }

  @Override
  public Pipe openPipe() throws IOException {
    return platform.openPipe();
  }

  @Override
  public AbstractSelector openSelector() throws IOException {
    return platform.openSelector();
  }

  @Override
  public Channel inheritedChannel() throws IOException {
    return platform.inheritedChannel();
  }
}
