package toolhost;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One driver connection, one call. The driver sends a 4-byte count and that many arguments (each a
 * 4-byte length and UTF-8 bytes): the tool's name and its arguments, as they would follow
 * {@code java -jar avro-tools.jar}. The host answers with Frames and closes the connection. The
 * driver closing its end before the exit status has come abandons the call (Call.abandon).
 */
final class CallConnection {
  private static final int MAX_ARGUMENTS = 64;
  private static final int MAX_ARGUMENT_BYTES = 16 << 20;
  // How long an rpcsend waits for the previous one to end (they run one at a time: Call.EXCLUSIVE).
  private static final long EXCLUSIVE_WAIT_SECONDS = 10;

  private final long number;
  private final SocketChannel connection;

  CallConnection(long number, SocketChannel connection) {
    this.number = number;
    this.connection = connection;
  }

  void serve() {
    try (connection) {
      List<String> argv = readRequest();
      Frames frames = new Frames();
      Call call = new Call(number, argv, frames);
      if (call.exclusive() && !Call.EXCLUSIVE.tryAcquire(EXCLUSIVE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        String reason = "an earlier rpcsend that was abandoned has not ended within " + EXCLUSIVE_WAIT_SECONDS
            + " s; rpcsend calls share static state and run one at a time, so this host cannot run another: restart it";
        ToolHost.log("call " + number + " refused: " + reason);
        frames.refuse(reason);
        write(frames, null);
        return;
      }
      Thread watcher = new Thread(() -> watchForClose(call), "connection-" + number + "-watch");
      watcher.setDaemon(true);
      watcher.start();
      call.start();
      write(frames, call);
    } catch (IOException | InterruptedException | RuntimeException e) {
      ToolHost.log("connection " + number + ": " + e);
    }
  }

  private List<String> readRequest() throws IOException {
    int count = readInt();
    if (count < 1 || count > MAX_ARGUMENTS) {
      throw new IOException("argument count " + count + " refused");
    }
    List<String> argv = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = readInt();
      if (length < 0 || length > MAX_ARGUMENT_BYTES) {
        throw new IOException("argument length " + length + " refused");
      }
      argv.add(StandardCharsets.UTF_8.decode(readFully(length)).toString());
    }
    return argv;
  }

  private int readInt() throws IOException {
    return readFully(4).getInt();
  }

  private ByteBuffer readFully(int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (connection.read(buffer) < 0) {
        throw new EOFException("the driver closed the connection inside its request");
      }
    }
    return buffer.flip();
  }

  private void write(Frames frames, Call call) throws InterruptedException {
    ByteBuffer frame;
    while ((frame = frames.next()) != null) {
      try {
        while (frame.hasRemaining()) {
          connection.write(frame);
        }
      } catch (IOException e) {
        frames.discard();
        if (call != null) {
          call.driverLeft();
        }
        return;
      }
    }
  }

  /** The driver sends nothing after its request: end of stream means it has gone. */
  private void watchForClose(Call call) {
    ByteBuffer ignored = ByteBuffer.allocate(256);
    try {
      while (connection.read(ignored) >= 0) {
        ignored.clear();
      }
    } catch (IOException e) {
      // closed by serve() after the exit status, or by the driver
    }
    call.driverLeft();
  }
}
